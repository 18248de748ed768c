// Writes the faker evaluation corpora (tuning and held-out) as JSONL: `node dev/eval/corpora/generate.ts`.

import { writeFileSync } from 'node:fs';
import {
  type Faker,
  fakerCS_CZ,
  fakerDA,
  fakerDE,
  fakerEL,
  fakerEN_GB,
  fakerEN_US,
  fakerES,
  fakerFR,
  fakerHR,
  fakerHU,
  fakerIT,
  fakerKO,
  fakerLV,
  fakerNL,
  fakerPL,
  fakerPT_BR,
  fakerRO,
  fakerRU,
  fakerSK,
  fakerSV,
  fakerTR,
  fakerUK,
  fakerVI,
  fakerZH_CN,
} from '@faker-js/faker';
import type { EvalRecord, PlantedSpan } from '../detector-eval.ts';
import { Formats, type LocaleSpec, type NameOrder, type PlantKind } from './formats.ts';
import { FILLERS, HELDOUT_CLEAN, HELDOUT_NOTES, TUNING_CLEAN, TUNING_NOTES } from './templates.ts';

const spec = (id: string, faker: Faker, order: NameOrder, titles: string[]): LocaleSpec => ({
  id,
  faker,
  order,
  titles,
});

/** Locales of the tuning corpus. */
export const TUNING_LOCALES: readonly LocaleSpec[] = [
  spec('en_US', fakerEN_US, 'given-first', ['Mr.', 'Mrs.', 'Ms.']),
  spec('de', fakerDE, 'given-first', ['Herr', 'Frau', 'Mr.', 'Mrs.']),
  spec('fr', fakerFR, 'given-first', ['M.', 'Mme', 'Mr.', 'Ms.']),
  spec('hu', fakerHU, 'family-first', ['Mr.', 'Mrs.']),
  spec('tr', fakerTR, 'given-first', ['Bay', 'Bayan', 'Mr.', 'Ms.']),
  spec('pl', fakerPL, 'given-first', ['Pan', 'Pani', 'Mr.', 'Mrs.']),
  spec('cs_CZ', fakerCS_CZ, 'given-first', ['pan', 'paní', 'Mr.', 'Ms.']),
  spec('vi', fakerVI, 'family-first', ['Ông', 'Bà', 'Mr.', 'Mrs.']),
  spec('es', fakerES, 'given-first', ['Sr.', 'Sra.', 'Mr.', 'Ms.']),
  spec('ru', fakerRU, 'given-first', ['Mr.', 'Mrs.']),
  spec('zh_CN', fakerZH_CN, 'family-first-joined', ['Mr.', 'Ms.']),
];

/** Locales of the held-out corpus: none shared with the tuning corpus. */
export const HELDOUT_LOCALES: readonly LocaleSpec[] = [
  spec('en_GB', fakerEN_GB, 'given-first', ['Mr', 'Mrs', 'Miss']),
  spec('it', fakerIT, 'given-first', ['Sig.', 'Sig.ra', 'Mr.', 'Mrs.']),
  spec('ro', fakerRO, 'given-first', ['Dl.', 'Dna.', 'Mr.', 'Mrs.']),
  spec('hr', fakerHR, 'given-first', ['Mr.', 'Ms.']),
  spec('sk', fakerSK, 'given-first', ['Mr.', 'Mrs.']),
  spec('pt_BR', fakerPT_BR, 'given-first', ['Sr.', 'Sra.', 'Mr.', 'Mrs.']),
  spec('nl', fakerNL, 'given-first', ['Dhr.', 'Mevr.', 'Mr.', 'Ms.']),
  spec('sv', fakerSV, 'given-first', ['Mr.', 'Mrs.']),
  spec('uk', fakerUK, 'given-first', ['Mr.', 'Ms.']),
  spec('el', fakerEL, 'given-first', ['Mr.', 'Mrs.']),
  spec('ko', fakerKO, 'family-first-joined', ['Mr.', 'Ms.']),
  spec('lv', fakerLV, 'given-first', ['Mr.', 'Ms.']),
  spec('da', fakerDA, 'given-first', ['Mr.', 'Mrs.']),
];

/** One note being built: text so far and the identifiers planted in it. */
class NoteBuilder {
  text = '';
  phi: PlantedSpan[] = [];

  add(s: string, kind?: PlantKind): void {
    if (kind !== undefined && s.length > 0)
      this.phi.push({ kind, start: this.text.length, end: this.text.length + s.length });
    this.text += s;
  }
}

/** Fills one template into `b`: a persona per note keeps names recurring across its sentences. */
function fill(
  template: string,
  b: NoteBuilder,
  fm: Formats,
  persona: {
    p: { first: string; last: string; full: string };
    rel: { first: string; last: string; full: string };
    doc: ReturnType<Formats['person']>;
    doc2: ReturnType<Formats['person']>;
    title: string;
  },
): void {
  const parts = template.split(/(\{[A-Z0-9]+\})/);
  for (const part of parts) {
    const m = /^\{([A-Z0-9]+)\}$/.exec(part);
    if (!m) {
      b.add(part);
      continue;
    }
    const key = m[1]!;
    const { p, rel, doc, doc2 } = persona;
    switch (key) {
      case 'NAME':
        b.add(p.full, 'name');
        break;
      case 'FIRST':
        b.add(p.first, 'name');
        break;
      case 'LAST':
        b.add(p.last, 'name');
        break;
      case 'TLAST':
        b.add(`${persona.title} `);
        b.add(p.last, 'name');
        break;
      case 'REL':
        b.add(rel.full, 'name');
        break;
      case 'RELFIRST':
        b.add(rel.first, 'name');
        break;
      case 'DOC':
        b.add(doc.full, 'name');
        break;
      case 'DOC2':
        b.add(doc2.full, 'name');
        break;
      case 'DOCLAST':
        b.add(doc.last, 'name');
        break;
      case 'DOB':
        b.add(fm.date(1925, 2020), 'date');
        break;
      case 'DATE':
        b.add(fm.date(2010, 2025), 'date');
        break;
      case 'DT':
        b.add(fm.dateTime(), 'date');
        break;
      case 'AGE': {
        const [number, unit] = fm.age();
        b.add(number, 'age');
        b.add(unit);
        break;
      }
      case 'SSN':
        b.add(fm.ssn(), 'ssn');
        break;
      case 'PHONE':
        b.add(fm.phone(), 'phone');
        break;
      case 'FAX':
        b.add(fm.phone(), 'fax');
        break;
      case 'EMAIL':
        b.add(fm.email(), 'email');
        break;
      case 'EMAILX':
        b.add(fm.email(true), 'email');
        break;
      case 'MRN':
        b.add(fm.mrn(), 'mrn');
        break;
      case 'PLAN':
        b.add(fm.plan(), 'health_plan');
        break;
      case 'ACCT':
        b.add(fm.account(), 'account');
        break;
      case 'LIC':
        b.add(fm.license(), 'license');
        break;
      case 'VIN':
        b.add(fm.vin(), 'vin');
        break;
      case 'PLATE':
        b.add(fm.plate(), 'plate');
        break;
      case 'DEVICE':
        b.add(fm.device(), 'device');
        break;
      case 'IP':
        b.add(fm.ip(), 'ip');
        break;
      case 'URL':
        b.add(fm.url(), 'url');
        break;
      case 'STREET':
        b.add(fm.street(), 'address');
        break;
      case 'CITY':
        b.add(fm.f.location.city(), 'address');
        break;
      case 'ZIP':
        b.add(fm.zip(), 'zip');
        break;
      case 'CSZ': {
        const c = fm.cityStateZip();
        b.add(c.city, 'address');
        b.add(`, ${c.state} `);
        b.add(c.zip, 'zip');
        break;
      }
      default: {
        const list = (FILLERS as Record<string, readonly string[]>)[key];
        if (!list) throw new Error(`unknown placeholder {${key}}`);
        b.add(fm.pick(list));
      }
    }
  }
}

/** A PHI-free template with its filler placeholders ({DRUG}, {DX}) filled. */
function fillClean(template: string, fm: Formats): string {
  return template.replace(/\{([A-Z]+)\}/g, (_, key: string) =>
    fm.pick((FILLERS as Record<string, readonly string[]>)[key]!),
  );
}

/** Options of one corpus: seed, locales, templates and how many records of each type per locale. */
export interface CorpusOptions {
  name: string;
  seed: number;
  locales: readonly LocaleSpec[];
  notes: readonly string[];
  clean: readonly string[];
  notesPerLocale: number;
  rowsPerLocale: number;
  cleanPerLocale: number;
}

/** Column cells: a telling column name and the generator of its value. */
const CELL_COLUMNS: [string, PlantKind, (fm: Formats, p: ReturnType<Formats['person']>) => string][] = [
  ['first_name', 'name', (_, p) => p.first],
  ['last_name', 'name', (_, p) => p.last],
  ['patient_name', 'name', (_, p) => p.full],
  ['birth_date', 'date', (fm) => fm.date(1925, 2020)],
  ['phone_number', 'phone', (fm) => fm.phone()],
  ['email', 'email', (fm) => fm.email()],
  ['ssn', 'ssn', (fm) => fm.ssn()],
  ['street_address', 'address', (fm) => fm.street()],
  ['city', 'address', (fm) => fm.f.location.city()],
  ['zip_code', 'zip', (fm) => fm.zip()],
  ['mrn', 'mrn', (fm) => fm.mrn()],
  ['ip_address', 'ip', (fm) => fm.ip()],
  ['website', 'url', (fm) => fm.url()],
  ['vin', 'vin', (fm) => fm.vin()],
  ['device_serial', 'device', (fm) => fm.device()],
  ['member_id', 'health_plan', (fm) => fm.plan()],
];

/** PHI-free column cells: a column name and a value generator (faker's product, company and science words). */
const CLEAN_COLUMNS: [string, (fm: Formats) => string][] = [
  ['diagnosis', (fm) => fm.pick(FILLERS.DX)],
  ['drug', (fm) => fm.pick(FILLERS.DRUG)],
  ['department', (fm) => fm.f.commerce.department()],
  ['product', (fm) => fm.f.commerce.productName()],
  ['supplier_note', (fm) => fm.f.company.catchPhrase()],
  ['element', (fm) => fm.f.science.chemicalElement().name],
  ['dose_mg', (fm) => String(fm.f.number.int({ min: 1, max: 1000 }))],
  ['result_value', (fm) => String(fm.f.number.float({ min: 0, max: 300, fractionDigits: 1 }))],
  ['status', (fm) => fm.pick(['active', 'resolved', 'Final', 'Preliminary', 'Cancelled'])],
  ['unit', (fm) => fm.f.science.unit().symbol],
];

/** Builds one corpus's records deterministically from its seed. */
export function buildCorpus(o: CorpusOptions): EvalRecord[] {
  const out: EvalRecord[] = [];
  o.locales.forEach((loc, li) => {
    loc.faker.seed(o.seed * 1000 + li);
    fakerEN_US.seed(o.seed * 1000 + li + 500);
    loc.faker.setDefaultRefDate('2025-06-30T00:00:00Z');
    fakerEN_US.setDefaultRefDate('2025-06-30T00:00:00Z');
    // Formats draw from en_US (US phone, address and date shapes) and from the locale (names, its own formats).
    const fm = new Formats(fakerEN_US, loc);
    for (let i = 0; i < o.notesPerLocale; i++) {
      const persona = {
        p: fm.person(),
        rel: fm.person(),
        doc: fm.person(),
        doc2: fm.person(),
        title: fm.pick(loc.titles),
      };
      const b = new NoteBuilder();
      const n = fm.f.number.int({ min: 2, max: 4 });
      for (let k = 0; k < n; k++) {
        if (k > 0) b.add(/[.:!?\n]$/.test(b.text) ? fm.pick([' ', '\n']) : fm.pick(['. ', '.\n']));
        fill(fm.pick(o.notes), b, fm, persona);
      }
      if (fm.chance(0.3)) {
        b.add(' ');
        b.add(fillClean(fm.pick(o.clean), fm));
      }
      out.push({
        id: `${o.name}-${loc.id}-note-${i}`,
        source: `faker:${loc.id}`,
        type: 'note',
        text: b.text,
        phi: b.phi,
      });
    }
    for (let r = 0; r < o.rowsPerLocale; r++) {
      const p = fm.person();
      for (const [column, kind, gen] of CELL_COLUMNS) {
        const text = gen(fm, p);
        out.push({
          id: `${o.name}-${loc.id}-cell-${r}-${column}`,
          source: `faker:${loc.id}`,
          type: 'cell',
          column,
          text,
          phi: [{ kind, start: 0, end: text.length }],
        });
      }
    }
    for (let c = 0; c < o.cleanPerLocale; c++) {
      const text = fillClean(fm.pick(o.clean), fm);
      out.push({
        id: `${o.name}-${loc.id}-clean-${c}`,
        source: `faker:${loc.id}`,
        type: 'clean',
        text,
        phi: [],
      });
      const [column, gen] = CLEAN_COLUMNS[c % CLEAN_COLUMNS.length]!;
      out.push({
        id: `${o.name}-${loc.id}-cleancell-${c}`,
        source: `faker:${loc.id}`,
        type: 'clean',
        column,
        text: gen(fm),
        phi: [],
      });
    }
  });
  return out;
}

/** The tuning corpus: seed 1, {@link TUNING_LOCALES}, tuning templates. */
export const TUNING: CorpusOptions = {
  name: 'tuning',
  seed: 1,
  locales: TUNING_LOCALES,
  notes: TUNING_NOTES,
  clean: TUNING_CLEAN,
  notesPerLocale: 60,
  rowsPerLocale: 8,
  cleanPerLocale: 40,
};

/** The held-out corpus: seed 7919, {@link HELDOUT_LOCALES}, held-out templates. */
export const HELDOUT: CorpusOptions = {
  name: 'heldout',
  seed: 7919,
  locales: HELDOUT_LOCALES,
  notes: HELDOUT_NOTES,
  clean: HELDOUT_CLEAN,
  notesPerLocale: 50,
  rowsPerLocale: 8,
  cleanPerLocale: 40,
};

if (import.meta.main) {
  for (const o of [TUNING, HELDOUT]) {
    const records = buildCorpus(o);
    const file = new URL(`./faker-${o.name}.jsonl`, import.meta.url);
    writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    console.log(`${file.pathname}: ${records.length} records`);
  }
}
