// Tests for identifier generators, validators and spellings.

import assert from 'node:assert/strict';
import {
  formatPhone,
  formatSsn,
  generateDeviceSerial,
  generateEmail,
  generateHealthPlanId,
  generateIpAddress,
  generateLicenseNumber,
  generateMrn,
  generatePersonalUrl,
  generatePhoneDigits,
  generateSsn,
  generateVin,
  isValidSsn,
  isValidVin,
  slug,
  vinCheckDigit,
} from './identifiers.ts';
import { Rng } from './prng.ts';

const sample = <T>(n: number, make: (rng: Rng) => T, seed = 'identifiers'): T[] => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => make(rng));
};

describe('SSN', () => {
  const cases = [
    { ssn: '123-45-6789', valid: true },
    { ssn: '001-01-0001', valid: true },
    { ssn: '899-99-9999', valid: true },
    { ssn: '123 45 6789', valid: true },
    { ssn: '000-45-6789', valid: false },
    { ssn: '666-45-6789', valid: false },
    { ssn: '900-45-6789', valid: false },
    { ssn: '999-45-6789', valid: false },
    { ssn: '123-00-6789', valid: false },
    { ssn: '123-45-0000', valid: false },
    { ssn: '123-45-678', valid: false },
  ];
  for (const { ssn, valid } of cases) {
    it(`judges ${ssn} ${valid ? 'valid' : 'invalid'}`, () => assert.equal(isValidSsn(ssn), valid));
  }

  it('generates only valid SSNs in AAA-GG-SSSS form', () => {
    for (const ssn of sample(20_000, generateSsn)) {
      assert.match(ssn, /^\d{3}-\d{2}-\d{4}$/);
      assert.ok(isValidSsn(ssn), ssn);
    }
  });

  it('reaches areas on both sides of 666', () => {
    const areas = sample(20_000, generateSsn).map((s) => Number(s.slice(0, 3)));
    assert.ok(areas.includes(665) || areas.includes(667));
    assert.ok(Math.max(...areas) <= 899 && Math.min(...areas) >= 1);
  });

  const styles = [
    { style: 'dashed', want: '123-45-6789' },
    { style: 'spaced', want: '123 45 6789' },
    { style: 'bare', want: '123456789' },
  ] as const;
  for (const { style, want } of styles) {
    it(`writes an SSN ${style} as ${want}`, () => assert.equal(formatSsn('123-45-6789', style), want));
  }
});

describe('VIN', () => {
  const known = [
    { vin: '1HGCM82633A004352', check: '3' },
    { vin: '1M8GDM9AXKP042788', check: 'X' },
    { vin: '11111111111111111', check: '1' },
  ];
  for (const { vin, check } of known) {
    it(`computes check digit ${check} for ${vin}`, () => {
      assert.equal(vinCheckDigit(vin), check);
      assert.ok(isValidVin(vin));
    });
  }

  const invalid = ['1HGCM82643A004352', '1HGCM82633A00435', 'IHGCM82633A004352'];
  for (const vin of invalid) {
    it(`rejects ${vin}`, () => assert.equal(isValidVin(vin), false));
  }

  it('generates VINs with valid check digits and no I, O or Q', () => {
    for (const vin of sample(5_000, generateVin)) {
      assert.match(vin, /^[A-HJ-NPR-Z0-9]{17}$/);
      assert.ok(isValidVin(vin), vin);
    }
  });

  it('uses the X check digit sometimes', () => {
    assert.ok(sample(5_000, generateVin).some((v) => v.charAt(8) === 'X'));
  });
});

describe('phone numbers', () => {
  const styles = [
    { style: 'parenthesized', want: '(617) 482-1934' },
    { style: 'dashed', want: '617-482-1934' },
    { style: 'international', want: '+1 617 482 1934' },
    { style: 'dotted', want: '617.482.1934' },
  ] as const;
  for (const { style, want } of styles) {
    it(`writes a number ${style} as ${want}`, () => assert.equal(formatPhone('6174821934', style), want));
  }

  it('keeps the area code and avoids N11 and 555 exchanges', () => {
    for (const digits of sample(5_000, (rng) => generatePhoneDigits(rng, '617'))) {
      assert.match(digits, /^617[2-9]\d{6}$/);
      const exchange = digits.slice(3, 6);
      assert.ok(!exchange.endsWith('11') && exchange !== '555', digits);
    }
  });
});

describe('other identifiers', () => {
  const shapes = [
    { name: 'MRN', make: generateMrn, pattern: /^[1-9]\d{7}$/ },
    {
      name: 'commercial plan id',
      make: (r: Rng) => generateHealthPlanId(r, false),
      pattern: /^[A-Z]{3}\d{9}$/,
    },
    {
      name: 'Medicare MBI',
      make: (r: Rng) => generateHealthPlanId(r, true),
      pattern:
        /^[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y]{2}\d{2}$/,
    },
    { name: 'licence number', make: generateLicenseNumber, pattern: /^([A-Z]\d{7,8}|[1-9]\d{8})$/ },
    {
      name: 'device serial',
      make: generateDeviceSerial,
      pattern: /^([A-Z]{3}\d{6}[A-Z]|[A-Z]{3}-\d{4}-[A-Z]\d{2}[A-Z]\d)$/,
    },
    {
      name: 'e-mail',
      make: (r: Rng) => generateEmail(r, 'Jane', "O'Brien", 1952),
      pattern: /^[a-z0-9.]+@[a-z.]+$/,
    },
    {
      name: 'URL',
      make: (r: Rng) => generatePersonalUrl(r, 'Jane', 'Smith', 1952),
      pattern: /^https?:\/\/\S+$/,
    },
  ];
  for (const { name, make, pattern } of shapes) {
    it(`generates a ${name} matching ${pattern}`, () => {
      for (const value of sample(2_000, make)) assert.match(value, pattern);
    });
  }

  it('generates public-looking IPv4 addresses', () => {
    for (const ip of sample(2_000, generateIpAddress)) {
      const octets = ip.split('.').map(Number);
      assert.equal(octets.length, 4);
      assert.ok(
        octets.every((o) => o >= 0 && o <= 255),
        ip,
      );
      assert.ok(octets[0] !== 10 && octets[0] !== 127 && octets[0] !== 192 && octets[0] !== 172, ip);
    }
  });

  it("slugs names to lower-case letters (O'Brien → obrien)", () => assert.equal(slug("O'Brien"), 'obrien'));
});
