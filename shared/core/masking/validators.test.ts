// Tests for the checksum and validity rules behind the detectors.

import assert from 'node:assert/strict';
import {
  daysInMonth,
  isIpv4,
  isIpv6,
  isNanpNumber,
  isValidDate,
  isValidSsn,
  isValidVin,
  luhnValid,
  vinCheckDigit,
} from './validators.ts';

describe('isValidSsn', () => {
  const cases = [
    { ssn: '123-45-6789', valid: true },
    { ssn: '001-01-0001', valid: true },
    { ssn: '899-99-9999', valid: true },
    { ssn: '123 45 6789', valid: true },
    { ssn: '123456789', valid: true },
    { ssn: '000-12-3456', valid: false },
    { ssn: '666-12-3456', valid: false },
    { ssn: '900-12-3456', valid: false },
    { ssn: '987-65-4321', valid: false },
    { ssn: '123-00-4567', valid: false },
    { ssn: '123-45-0000', valid: false },
    { ssn: '12-345-6789', valid: true },
    { ssn: '1234567890', valid: false },
    { ssn: '12345678', valid: false },
  ];
  for (const c of cases) {
    it(`${c.valid ? 'accepts' : 'rejects'} ${c.ssn}`, () => assert.equal(isValidSsn(c.ssn), c.valid));
  }
});

describe('VIN check digit', () => {
  it('computes the 49 CFR 565.15 check digit, X for 10', () => {
    assert.equal(vinCheckDigit('1M8GDM9AXKP042788'), 'X');
    assert.equal(vinCheckDigit('1HGCM82633A004352'), '3');
  });
  const cases = [
    { vin: '1HGCM82633A004352', valid: true },
    { vin: '1M8GDM9AXKP042788', valid: true },
    { vin: '1HGCM82633A004353', valid: false },
    { vin: '1HGCM82643A004352', valid: false },
    { vin: '1HGCM82633A00435', valid: false },
    { vin: '1HGCM8263IA004352', valid: false },
    { vin: '1hgcm82633a004352', valid: false },
  ];
  for (const c of cases) {
    it(`${c.valid ? 'accepts' : 'rejects'} ${c.vin}`, () => assert.equal(isValidVin(c.vin), c.valid));
  }
  it('reads a VIN inside a longer string at an offset', () => {
    assert.equal(isValidVin('VIN 1HGCM82633A004352', 4), true);
  });
});

describe('isNanpNumber', () => {
  const cases = [
    { digits: '6172734213', valid: true },
    { digits: '2125550199', valid: true },
    { digits: '1234567890', valid: false },
    { digits: '0172734213', valid: false },
    { digits: '9112734213', valid: false },
    { digits: '6191234567', valid: false },
    { digits: '6179112345', valid: false },
    { digits: '617273421', valid: false },
  ];
  for (const c of cases) {
    it(`${c.valid ? 'accepts' : 'rejects'} ${c.digits}`, () => assert.equal(isNanpNumber(c.digits), c.valid));
  }
});

describe('luhnValid', () => {
  const cases = [
    { digits: '4111111111111111', valid: true },
    { digits: '4111111111111112', valid: false },
    { digits: '490154203237518', valid: true },
    { digits: '', valid: false },
    { digits: '12a4', valid: false },
  ];
  for (const c of cases) {
    it(`${c.valid ? 'accepts' : 'rejects'} "${c.digits}"`, () => assert.equal(luhnValid(c.digits), c.valid));
  }
});

describe('IP addresses', () => {
  const v4 = [
    { ip: '192.168.1.20', valid: true },
    { ip: '0.0.0.0', valid: true },
    { ip: '256.1.1.1', valid: false },
    { ip: '1.2.3', valid: false },
    { ip: '01.2.3.4', valid: false },
  ];
  for (const c of v4)
    it(`IPv4 ${c.ip} is ${c.valid ? '' : 'not '}valid`, () => assert.equal(isIpv4(c.ip), c.valid));
  const v6 = [
    { ip: '2001:0db8:85a3:0000:0000:8a2e:0370:7334', valid: true },
    { ip: '2001:db8::8a2e:370:7334', valid: true },
    { ip: 'fe80::1', valid: true },
    { ip: '::1', valid: true },
    { ip: '::ffff:192.0.2.1', valid: true },
    { ip: '10:30:45', valid: false },
    { ip: '1::2::3', valid: false },
    { ip: '2001:db8:85a3:0:0:8a2e:370', valid: false },
    { ip: 'fe80::g1', valid: false },
  ];
  for (const c of v6)
    it(`IPv6 ${c.ip} is ${c.valid ? '' : 'not '}valid`, () => assert.equal(isIpv6(c.ip), c.valid));
});

describe('calendar validity', () => {
  it('knows month lengths and leap years', () => {
    assert.deepEqual(
      [
        daysInMonth(2, 2024),
        daysInMonth(2, 1900),
        daysInMonth(2, 2000),
        daysInMonth(2),
        daysInMonth(4),
        daysInMonth(12),
      ],
      [29, 28, 29, 29, 30, 31],
    );
  });
  const cases = [
    { ymd: [1952, 3, 14], valid: true },
    { ymd: [2020, 2, 30], valid: false },
    { ymd: [2020, 13, 1], valid: false },
    { ymd: [1700, 1, 1], valid: false },
    { ymd: [2024, 2, 29], valid: true },
  ] as const;
  for (const c of cases) {
    it(`${c.ymd.join('-')} is ${c.valid ? '' : 'not '}a plausible date`, () =>
      assert.equal(isValidDate(c.ymd[0], c.ymd[1], c.ymd[2]), c.valid));
  }
});
