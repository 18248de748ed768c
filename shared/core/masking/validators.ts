// Checksums and validity rules that separate real identifiers from look-alike numbers: SSN, VIN, NANP, Luhn, IP.

/** True when nine digits (area, group, serial) are an assignable SSN: area not 000, 666 or 9xx; group and serial not zero. */
export function isValidSsnParts(area: number, group: number, serial: number): boolean {
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0;
}

/** True when `text` holds exactly nine digits (spaces and dashes ignored) forming a valid SSN. */
export function isValidSsn(text: string): boolean {
  const digits = text.replace(/[\s-]/g, '');
  if (!/^\d{9}$/.test(digits)) return false;
  return isValidSsnParts(Number(digits.slice(0, 3)), Number(digits.slice(3, 5)), Number(digits.slice(5)));
}

// Transliteration values (49 CFR 565.15); index by char code - 65. I, O and Q are not allowed (-1).
const VIN_LETTER = [1, 2, 3, 4, 5, 6, 7, 8, -1, 1, 2, 3, 4, 5, -1, 7, -1, 9, 2, 3, 4, 5, 6, 7, 8, 9];
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/** The check digit (`0`–`9` or `X`) a 17-character VIN must carry at position 9, or '' if it has a bad character. */
export function vinCheckDigit(vin: string, start = 0): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = vin.charCodeAt(start + i);
    let v: number;
    if (c >= 48 && c <= 57) v = c - 48;
    else if (c >= 65 && c <= 90) v = VIN_LETTER[c - 65]!;
    else return '';
    if (v < 0) return '';
    sum += v * VIN_WEIGHTS[i]!;
  }
  const r = sum % 11;
  return r === 10 ? 'X' : String(r);
}

/** True for a 17-character VIN (no I, O, Q) whose check digit is right; `start` reads it inside a longer string. */
export function isValidVin(text: string, start = 0): boolean {
  if (text.length - start < 17) return false;
  const check = vinCheckDigit(text, start);
  return check !== '' && text.charAt(start + 8) === check;
}

/**
 * True when a 10-digit North American number is dialable: area code NXX not N11 and not N9X (reserved),
 * exchange NXX not N11.
 */
export function isNanpNumber(digits: string): boolean {
  if (digits.length !== 10) return false;
  const a0 = digits.charCodeAt(0) - 48;
  const a1 = digits.charCodeAt(1) - 48;
  const a2 = digits.charCodeAt(2) - 48;
  const e0 = digits.charCodeAt(3) - 48;
  const e1 = digits.charCodeAt(4) - 48;
  const e2 = digits.charCodeAt(5) - 48;
  if (a0 < 2 || a1 === 9 || (a1 === 1 && a2 === 1)) return false;
  if (e0 < 2 || (e1 === 1 && e2 === 1)) return false;
  return true;
}

/** True when a digit string passes the Luhn check (payment cards, IMEI). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** True for a dotted-quad IPv4 address with octets 0–255 and no leading zeros. */
export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return false;
  }
  return true;
}

/** True for an IPv6 address in full, compressed (`::`) or IPv4-suffixed form. */
export function isIpv6(text: string): boolean {
  let body = text;
  let groupsForV4 = 0;
  const lastColon = body.lastIndexOf(':');
  if (lastColon >= 0 && body.indexOf('.', lastColon) > 0) {
    if (!isIpv4(body.slice(lastColon + 1))) return false;
    body = `${body.slice(0, lastColon + 1)}0`;
    groupsForV4 = 1;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const group = /^[0-9A-Fa-f]{1,4}$/;
  const count = (half: string): number => {
    if (half === '') return 0;
    const gs = half.split(':');
    for (const g of gs) if (!group.test(g)) return -1;
    return gs.length;
  };
  const left = count(halves[0]!);
  if (left < 0) return false;
  if (halves.length === 1) return left + groupsForV4 === 8;
  const right = count(halves[1]!);
  if (right < 0) return false;
  return left + right + groupsForV4 <= 7;
}

/** Days in a month (1–12) of a year; February has 29 when `year` is undefined. */
export function daysInMonth(month: number, year?: number): number {
  if (month === 2) {
    if (year === undefined) return 29;
    return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True when year/month/day form a real calendar date between 1800 and 2199. */
export function isValidDate(year: number, month: number, day: number): boolean {
  return (
    year >= 1800 && year <= 2199 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(month, year)
  );
}
