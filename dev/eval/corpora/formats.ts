// Identifier values as people write them (spacing, case, separators), drawn from a seeded faker instance.

import type { Faker } from '@faker-js/faker';

/** A planted identifier kind: one of the masking detector kinds. */
export type PlantKind =
  | 'name'
  | 'address'
  | 'zip'
  | 'date'
  | 'age'
  | 'phone'
  | 'fax'
  | 'email'
  | 'ssn'
  | 'mrn'
  | 'health_plan'
  | 'account'
  | 'license'
  | 'vin'
  | 'plate'
  | 'device'
  | 'url'
  | 'ip';

/** How a locale writes a person's name: given-name first (most), family-name first (hu, vi, zh, ko, ja). */
export type NameOrder = 'given-first' | 'family-first' | 'family-first-joined';

/** Locale settings for the generator: the faker instance and how names are written. */
export interface LocaleSpec {
  id: string;
  faker: Faker;
  order: NameOrder;
  /** Honorifics of the locale (Herr, Mme, Pan, Bayan …) used before a family name. */
  titles: readonly string[];
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const ONES = ['', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const pad = (n: number): string => String(n).padStart(2, '0');
/** English ordinal suffix of a day: 1st, 2nd, 3rd, 4th, 11th, 21st. */
const ordinal = (n: number): string =>
  n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');

/** Value generators for every planted kind, in many real-world spellings. */
export class Formats {
  readonly f: Faker;
  readonly locale: LocaleSpec;

  constructor(f: Faker, locale: LocaleSpec) {
    this.f = f;
    this.locale = locale;
  }

  /** One element of `xs`, drawn from the seeded generator. */
  pick<T>(xs: readonly T[]): T {
    return this.f.helpers.arrayElement(xs);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.f.number.float({ min: 0, max: 1 }) < p;
  }

  /** `n` random digits (leading zeros allowed). */
  digits(n: number): string {
    return this.f.string.numeric({ length: n, allowLeadingZeros: true });
  }

  /** A person: given and family name in the locale, and how the full name is written. */
  person(): { first: string; last: string; full: string } {
    const f = this.locale.faker;
    const first = f.person.firstName();
    const last = f.person.lastName();
    const order = this.locale.order;
    const full =
      order === 'given-first'
        ? `${first} ${last}`
        : order === 'family-first'
          ? `${last} ${first}`
          : last + first;
    return { first, last, full };
  }

  /** A calendar date between `from` and `to` (years), as [year, month, day]. */
  ymd(from: number, to: number): [number, number, number] {
    const d = this.f.date.between({ from: `${from}-01-01T00:00:00Z`, to: `${to}-12-31T00:00:00Z` });
    return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  }

  /** A date in one of many spellings (numeric, month names in any case, ordinal, with a time). */
  date(from = 1930, to = 2025): string {
    const [y, m, d] = this.ymd(from, to);
    const month = MONTHS[m - 1]!;
    const style = this.f.number.int({ min: 0, max: 15 });
    switch (style) {
      case 0:
        return `${m}/${d}/${y}`;
      case 1:
        return `${pad(m)}/${pad(d)}/${y}`;
      case 2:
        return `${y}-${pad(m)}-${pad(d)}`;
      case 3:
        return `${month} ${d}, ${y}`;
      case 4:
        return `${month.toLowerCase()} ${d}, ${y}`;
      case 5:
        return `${d} ${month} ${y}`;
      case 6:
        return `${month.slice(0, 3)} ${d} ${y}`;
      case 7:
        return `${pad(d)}.${pad(m)}.${y}`;
      case 8:
        return `${pad(d)}-${month.slice(0, 3)}-${y}`;
      case 9:
        return `${m}/${d}/${String(y).slice(2)}`;
      case 10:
        return `${month.toUpperCase()} ${d}, ${y}`;
      case 11:
        return `${d}${ordinal(d)} of ${month} ${y}`;
      case 12:
        return `${month.slice(0, 3).toLowerCase()} ${d} ${y}`;
      case 13:
        return `${y}/${pad(m)}/${pad(d)}`;
      case 14:
        return `${month} ${y}`;
      default:
        return `${month} ${d}${ordinal(d)}, ${y}`;
    }
  }

  /** A recent date and time of day ("6/5 13:28", "2024-06-05 13:28", "06/05/2024 1:28 PM"). */
  dateTime(): string {
    const [y, m, d] = this.ymd(2019, 2025);
    const h = this.f.number.int({ min: 0, max: 23 });
    const min = pad(this.f.number.int({ min: 0, max: 59 }));
    switch (this.f.number.int({ min: 0, max: 4 })) {
      case 0:
        return `${m}/${d} ${h}:${min}`;
      case 1:
        return `${y}-${pad(m)}-${pad(d)} ${pad(h)}:${min}`;
      case 2:
        return `${pad(m)}/${pad(d)}/${y} ${((h + 11) % 12) + 1}:${min} ${h < 12 ? 'AM' : 'PM'}`;
      case 3:
        return `${y}-${pad(m)}-${pad(d)}T${pad(h)}:${min}:00Z`;
      default:
        return `${m}/${d} @ ${pad(h)}${min}`;
    }
  }

  /**
   * An age over 89, in digits or words, and its unit ("92" + "-year-old", "ninety-four" + " years old"): the
   * number is the identifier, the unit is not.
   */
  age(): [string, string] {
    const n = this.f.number.int({ min: 90, max: 104 });
    const words =
      n < 100
        ? `ninety${n % 10 === 0 ? '' : `-${ONES[n % 10]}`}`
        : `one hundred${n % 100 === 0 ? '' : ` and ${ONES[n % 100]}`}`;
    const num = this.chance(0.5) ? String(n) : words;
    return [num, this.pick(['-year-old', ' year old', ' years old', ' yo', ' y/o', '-yr-old', ' yrs'])];
  }

  /** A valid SSN with dashes, spaces, dots or none. */
  ssn(): string {
    const area = this.f.number.int({ min: 1, max: 899 });
    const a = area === 666 ? 667 : area;
    const g = this.f.number.int({ min: 1, max: 99 });
    const s = this.f.number.int({ min: 1, max: 9999 });
    const sep = this.pick(['-', '-', ' ', '.', '']);
    return `${String(a).padStart(3, '0')}${sep}${pad(g)}${sep}${String(s).padStart(4, '0')}`;
  }

  /** A phone number: faker's own formats for the locale and US ones (extensions, dots, parentheses). */
  phone(): string {
    if (this.chance(0.35)) return this.locale.faker.phone.number();
    if (this.chance(0.15)) return this.locale.faker.phone.number({ style: 'international' });
    const us = this.f.helpers.fromRegExp(/[2-9][0-8][0-9]/);
    const ex = this.f.helpers.fromRegExp(/[2-9][02-9][0-9]/);
    const line = this.digits(4);
    const style = this.f.number.int({ min: 0, max: 8 });
    const ext = this.chance(0.2)
      ? this.pick([` x${this.digits(4)}`, `x${this.digits(5)}`, ` ext. ${this.digits(3)}`])
      : '';
    const body = [
      `(${us}) ${ex}-${line}`,
      `(${us})${ex}-${line}`,
      `${us}-${ex}-${line}`,
      `${us}.${ex}.${line}`,
      `${us} ${ex} ${line}`,
      `1-${us}-${ex}-${line}`,
      `+1 ${us} ${ex} ${line}`,
      `${us}${ex}${line}`,
      `+1 (${us}) ${ex}-${line}`,
    ][style]!;
    return body + ext;
  }

  /** An email address, sometimes obfuscated ("jane dot doe at gmail dot com", "jane[at]example.org"). */
  email(obfuscated = false): string {
    const e = this.locale.faker.internet.email().replace(/[^\x21-\x7e]/g, '');
    const address = this.chance(0.2) ? e.toLowerCase() : e;
    if (!obfuscated) return address;
    const [local, domain] = address.toLowerCase().split('@') as [string, string];
    switch (this.f.number.int({ min: 0, max: 3 })) {
      case 0:
        return `${local.replace(/\./g, ' dot ')} at ${domain.replace(/\./g, ' dot ')}`;
      case 1:
        return `${local}[at]${domain}`;
      case 2:
        return `${local} (at) ${domain.replace(/\./g, ' (dot) ')}`;
      default:
        return `${local} at ${domain}`;
    }
  }

  /** A medical record number with or without letters, dots, spaces or dashes. */
  mrn(): string {
    const n = this.f.number.int({ min: 5, max: 10 });
    const d = this.digits(n);
    switch (this.f.number.int({ min: 0, max: 6 })) {
      case 0:
        return d;
      case 1:
        return `${d.slice(0, 2)}.${d.slice(2, 5)}.${d.slice(5)}`.replace(/\.$/, '');
      case 2:
        return `${this.f.string.alpha({ length: 2, casing: 'upper' })}${d}`;
      case 3:
        return `${d.slice(0, 3)}-${d.slice(3)}`;
      case 4:
        return `${d.slice(0, 3)} ${d.slice(3)}`;
      case 5:
        return `${this.f.string.alpha({ length: 1, casing: 'upper' })}-${d}`;
      default:
        return `${this.f.string.alpha({ length: 3, casing: 'lower' })}${d}`;
    }
  }

  /** A health plan member id. */
  plan(): string {
    return this.pick([
      `${this.f.string.alpha({ length: 3, casing: 'upper' })}${this.digits(9)}`,
      `${this.digits(3)}-${this.digits(3)}-${this.digits(3)}`,
      `${this.f.string.alphanumeric({ length: 11, casing: 'upper' })}`,
      `W${this.digits(9)}`,
    ]);
  }

  /** An account number (faker's, or IBAN). */
  account(): string {
    return this.chance(0.3)
      ? this.f.finance.iban()
      : this.f.finance.accountNumber(this.f.number.int({ min: 8, max: 12 }));
  }

  /** A driver's licence or professional licence number. */
  license(): string {
    return this.pick([
      `${this.f.string.alpha({ length: 1, casing: 'upper' })}${this.digits(7)}`,
      `${this.f.string.alpha({ length: 1, casing: 'upper' })}${this.digits(3)}-${this.digits(3)}-${this.digits(3)}`,
      this.digits(9),
      `${this.f.string.alpha({ length: 2, casing: 'upper' })}${this.digits(6)}`,
    ]);
  }

  /** A VIN (faker's: no check digit), upper or lower case. */
  vin(): string {
    const v = this.f.vehicle.vin();
    return this.chance(0.3) ? v.toLowerCase() : v;
  }

  /** A licence plate. */
  plate(): string {
    return this.pick([
      this.f.vehicle.vrm(),
      `${this.f.string.alpha({ length: 3, casing: 'upper' })}-${this.digits(4)}`,
      `${this.digits(1)}${this.f.string.alpha({ length: 3, casing: 'upper' })}${this.digits(3)}`,
    ]);
  }

  /** A device serial: a UUID, a manufacturer serial, an IMEI or a MAC address. */
  device(): string {
    return this.pick([
      this.f.string.uuid(),
      this.f.string.uuid().toUpperCase(),
      `${this.f.string.alpha({ length: 3, casing: 'upper' })}${this.digits(6)}${this.f.string.alpha({ length: 1, casing: 'upper' })}`,
      this.f.internet.mac(),
      `SN-${this.f.string.alphanumeric({ length: 10, casing: 'upper' })}`,
    ]);
  }

  /** An IPv4 or IPv6 address. */
  ip(): string {
    return this.chance(0.75) ? this.f.internet.ipv4() : this.f.internet.ipv6();
  }

  /** A URL, a schemeless web address, or a social profile ("instagram.com/jdoe", "@jdoe"). */
  url(): string {
    const user = this.locale.faker.internet
      .username()
      .replace(/[^\x21-\x7e]/g, '')
      .replace(/[^A-Za-z0-9_.]/g, '');
    switch (this.f.number.int({ min: 0, max: 5 })) {
      case 0:
        return this.f.internet.url();
      case 1:
        return `www.${this.f.internet.domainName()}`;
      case 2:
        return `${this.pick(['instagram.com', 'facebook.com', 'twitter.com', 'x.com', 'tiktok.com', 'linkedin.com/in'])}/${user.toLowerCase()}`;
      case 3:
        return `https://${this.f.internet.domainName()}/${this.f.lorem.slug(2)}`;
      case 4:
        return `${this.f.internet.domainName()}/${user}`;
      default:
        return `@${user}`;
    }
  }

  /** A street address, US style (any case) or the locale's own. */
  street(): string {
    if (this.chance(0.3)) return this.locale.faker.location.streetAddress();
    const us = this.f.location.streetAddress({ useFullAddress: this.chance(0.3) });
    return this.chance(0.25) ? us.toLowerCase() : us;
  }

  /** A ZIP code (ZIP, ZIP+4 with or without the dash). */
  zip(): string {
    const z = this.digits(5);
    return this.pick([z, z, `${z}-${this.digits(4)}`, `${z}${this.digits(4)}`]);
  }

  /** A city, state and ZIP line: "Grand Rapids, MI 49503". */
  cityStateZip(): { city: string; state: string; zip: string } {
    return {
      city: this.f.location.city(),
      state: this.f.location.state({ abbreviated: true }),
      zip: this.zip(),
    };
  }
}
