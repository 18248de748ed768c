// Content detectors for Safe Harbor identifiers in free text, with checksums and context to cut false positives.

import { parseDateCell } from './dates.ts';
import type { Detection } from './detection.ts';
import { DETECTOR_KINDS, tagFor } from './kinds.ts';
import { LabelTrie, lastLabelStart } from './labels.ts';
import { detectNames, HOSPITAL_PLACE_WORDS, isNameValue, LIST_ID_BACK, looksLikeName } from './names.ts';
import {
  isIpv4,
  isIpv6,
  isNanpNumber,
  isValidDate,
  isValidSsn,
  isValidSsnParts,
  isValidVin,
  luhnValid,
} from './validators.ts';

export type { Detection } from './detection.ts';

/** A detector the policy adds: a regular expression whose match (or its named group `id`) is of `kind`. */
export interface CustomPattern {
  kind: string;
  pattern: string;
}

/**
 * A labelled identifier family (MRN, health plan, account): a value matching `value` right after one of
 * `labels` ("MRN: 12345678"), or anything matching one of `patterns` (regular expressions; a named group `id`,
 * if present, is the part masked).
 */
export interface IdentifierFormat {
  labels?: readonly string[];
  value?: string;
  patterns?: readonly string[];
}

/** What to detect. Omitted fields take the defaults. */
export interface DetectorOptions {
  /** Built-in kinds to run (default: all of {@link DETECTOR_KINDS}). */
  kinds?: readonly string[];
  /** Medical record numbers; default {@link DEFAULT_MRN}. */
  mrn?: IdentifierFormat;
  /** Health plan beneficiary and member numbers; default {@link DEFAULT_HEALTH_PLAN}. */
  healthPlan?: IdentifierFormat;
  /** Account numbers (payment card numbers are always found by their Luhn check); default {@link DEFAULT_ACCOUNT}. */
  account?: IdentifierFormat;
  /** Extra detectors. */
  custom?: readonly CustomPattern[];
}

/** Default MRN format: a medical-record label and up to three letters and 5–12 digits. */
export const DEFAULT_MRN: Required<IdentifierFormat> = {
  labels: [
    'MRN',
    'MR#',
    'MR number',
    'medical record',
    'medical record number',
    'med rec',
    'chart',
    'chart number',
    'patient ID',
    'pt ID',
    'patient number',
    'hospital number',
    'record number',
    'unit number',
    'record',
    'rec',
    'hospital',
    'hospital no',
    'case',
    'case number',
    'encounter',
    'patient',
    'pt',
    'NHS',
    'NHS number',
    'EMR',
    'EHR',
    // Labels as records carry them (HL7 v2 PID-3 identifier types, EHR banners, other health systems):
    // master patient index and enterprise ids, encounter / visit / financial numbers (Cerner FIN, Epic CSN),
    // admission and episode numbers, pathology accession and specimen numbers, UK and Australian unit record
    // numbers, Scotland's CHI, India's UHID and IP/OP numbers. A bare "ID" is not one: it comes before ids of
    // every kind (a payer-prefixed member id, a device id).
    'patient identifier',
    'PID',
    'MPI',
    'EMPI',
    'enterprise ID',
    'person ID',
    'client ID',
    'resident ID',
    'hospital ID',
    'hosp',
    'hosp no',
    'clinic number',
    'clinic no',
    'clinic',
    'record locator',
    'records no',
    'M R N',
    'FIN',
    'CSN',
    'visit',
    'visit ID',
    'admission',
    'admission no',
    'adm no',
    'episode',
    'episode no',
    'accession',
    'specimen',
    'registration',
    'registration no',
    'reg no',
    'IP no',
    'OP no',
    'UHID',
    'UR',
    'URN',
    'UR no',
    'CHI',
    'CHI no',
    'file no',
    'file number',
    'unit no',
    'MRN on file',
    'MRNs',
    'record numbers',
    'chart numbers',
    'patient IDs',
    // VA Integration Control Number (ten digits, V, six digits).
    'ICN',
    // Hospital letters and registers: a letter's reference ("Our ref:"), identification numbers, in- and
    // outpatient numbers, folder numbers (South Africa), CR numbers (India), EPR and PAS numbers (NHS trusts).
    'ref',
    'ref no',
    'reference',
    'reference number',
    'our ref',
    'your ref',
    'chart ID',
    'EMR ID',
    'EHR ID',
    'pt identifier',
    'identification',
    'identification number',
    'medical ID',
    'inpatient number',
    'inpatient no',
    'outpatient number',
    'outpatient no',
    'folder number',
    'folder no',
    'CR no',
    'EPR',
    'EPR number',
    'PAS',
    'PAS number',
    // Other languages, diacritics folded when read: German, French, Italian, Portuguese, Spanish, Dutch, the
    // Nordic languages, Romanian, Croatian, Slovak, Czech.
    'Patientennummer',
    'Pat Nr',
    'Pat no',
    'Fallnummer',
    'Fall Nr',
    'dossier',
    'dossier patient',
    'IPP',
    'cartella',
    'cartella clinica',
    'prontuário',
    'historia clínica',
    'historia',
    'NHC',
    'patiëntnummer',
    'patientnummer',
    'dossiernummer',
    'journalnummer',
    'journal nr',
    'journal',
    'fișă',
    'foaie de observație',
    'matični broj',
    'broj kartona',
    'číslo pacienta',
    // Polish, Turkish, Hungarian; German's "Pat.-ID".
    'numer pacjenta',
    'nr pacjenta',
    'hasta no',
    'protokol no',
    'beteg azonosító',
    'Pat ID',
    // Encounter and case ids as EHR exports label them; Epic's patient ids ("E1234567"); the Dutch citizen service
    // number that Dutch hospitals record as the patient's id (BSN, Wet algemene bepalingen burgerservicenummer).
    'encounter ID',
    'case ID',
    'Epic',
    'Epic ID',
    'BSN',
    'burgerservicenummer',
    // A German file reference, the French and Québec patient numbers (NIP), Spanish "HC" and "expediente".
    'Aktenzeichen',
    'NIP',
    'HC',
    'expediente',
    'Krankenblatt',
  ],
  // Up to three letters (any case) and 5–13 digits, written whole or in groups (31.669.513, 4455 6677, 00-123-456).
  // A check digit may follow a slash (123456/7); a letter may split the digits (the VA's 1012345678V123456).
  value: String.raw`(?=[A-Za-z]{0,3}-?(?:\d[. -]?){4}\d)[A-Za-z]{0,3}-?\d{1,13}(?:[. -]\d{1,10}){0,3}(?:\/\d{1,2}(?!\/))?(?:[A-Za-z]\d{1,8})?(?:-[A-Z]|[A-Za-z])?(?![\w-]|[.,/]\d)`,
  patterns: [],
};

/** Default health plan format: member/policy labels, Medicare Beneficiary Identifiers, payer-prefixed ids. */
export const DEFAULT_HEALTH_PLAN: Required<IdentifierFormat> = {
  labels: [
    'member ID',
    'member',
    'member number',
    'subscriber ID',
    'subscriber',
    'insurance ID',
    'insurance',
    'policy',
    'policy ID',
    'group',
    'group ID',
    'plan ID',
    'health plan',
    'health plan ID',
    'Medicaid',
    'Medicaid ID',
    'Medicare',
    'Medicare ID',
    'MBI',
    'HICN',
    'beneficiary ID',
    'insured ID',
    'payer ID',
    // Other health systems' card numbers: Canadian provincial health cards (Ontario's OHIP "1234-567-890 AB"),
    // Australia's Medicare card ("2123 45670 1", an issue number after a slash), the US Health Insurance Claim
    // number, Germany's Krankenversichertennummer (KVNR, "A123456780"), France's NIR (numéro de sécurité sociale).
    'HIC',
    'health card',
    'OHIP',
    'Medicare card',
    'KVNR',
    'Versichertennummer',
    'NIR',
    'sécurité sociale',
  ],
  value: String.raw`(?=[A-Z0-9 -]*\d)[A-Z0-9][A-Z0-9 -]{3,19}[A-Z0-9](?:\/\d)?(?![\w-])`,
  patterns: [
    // Medicare Beneficiary Identifier (CMS format), with or without dashes.
    String.raw`(?<![\w-])[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y\d]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y\d]\d-?[AC-HJKMNP-RT-Y]{2}\d{2}(?![\w-])`,
    // Payer prefix and nine digits (BCX482910384), written digits-first so the scan is fast.
    String.raw`(?<=(?<![\w-])[A-Z]{3})\d{9}(?![\w-])`,
  ],
};

/** Default account format: account labels and 4–26 letters, digits and dashes with at least three digits. */
export const DEFAULT_ACCOUNT: Required<IdentifierFormat> = {
  labels: [
    'account',
    'acct',
    'account number',
    'billing account',
    'bank account',
    'guarantor account',
    'patient account',
    'A/C',
  ],
  value: String.raw`(?=[A-Z0-9-]*\d{3})[A-Z0-9][A-Z0-9-]{3,32}[A-Z0-9](?![\w-])`,
  patterns: [],
};

// Precedence when two detections cover the same span: the more specific kind wins.
const PRIORITY: Readonly<Record<string, number>> = {
  ssn: 20,
  vin: 19,
  email: 18,
  url: 17,
  ip: 16,
  fax: 15,
  phone: 14,
  mrn: 13,
  health_plan: 12,
  account: 11,
  license: 10,
  device: 9,
  plate: 8,
  date: 7,
  age: 6,
  address: 5,
  zip: 4,
  name: 3,
};
/** Added to detections found after an explicit label, which beat unlabelled look-alikes. */
const LABELLED = 100;
/** The rank of flags (biometric, image): reported, never merged with or replaced like masked kinds. */
const FLAG = -1;

interface Found {
  kind: string;
  start: number;
  end: number;
  rank: number;
}

// ---------------------------------------------------------------------------------------------------------
// Labels read backwards from digit-bearing tokens. Fixed kinds; MRN, health plan and account are per set.

const L_SSN = 0;
const L_PHONE = 1;
const L_FAX = 2;
const L_ZIP = 3;
const L_LICENSE = 4;
const L_PLATE = 5;
const L_DEVICE = 6;
const L_VIN = 7;
const L_DOB = 8;
const L_MRN = 9;
const L_PLAN = 10;
const L_ACCOUNT = 11;
const L_AGE = 12;
const L_POBOX = 13;
/** Words that put a telephone number after them in running text ("reach her at", "call X on"): weaker labels. */
const L_PHONE_WORD = 14;
const LABEL_KIND_NAMES = [
  'ssn',
  'phone',
  'fax',
  'zip',
  'license',
  'plate',
  'device',
  'vin',
  'date',
  'mrn',
  'health_plan',
  'account',
  'age',
  'address',
  'phone',
];

const FIXED_LABELS: [number, string[]][] = [
  [
    L_SSN,
    [
      'SSN',
      'SS#',
      'S.S.N.',
      'social security',
      'social security number',
      'soc sec',
      'soc sec number',
      'SSN on file',
      'social',
      'social security on file',
    ],
  ],
  [
    L_PHONE,
    [
      'phone',
      'telephone',
      'tel',
      'mobile',
      'cell',
      'cell phone',
      'cellphone',
      'home phone',
      'work phone',
      'contact',
      'contact number',
      'callback',
      'callback number',
      'call back number',
      'call',
      'pager',
      'ph',
      'reached at',
      'alternate',
      'landline',
      'whatsapp',
    ],
  ],
  // "F:" in a letterhead's "T: … F: …"; "Telefax" (German, Dutch, Nordic), "faxed to".
  [L_FAX, ['fax', 'fax number', 'facsimile', 'F', 'telefax', 'faxed to', 'fax to', 'faxnummer', 'téléfax']],
  [L_ZIP, ['zip', 'zip code', 'zipcode', 'postal code', 'postcode']],
  [
    L_LICENSE,
    [
      'license',
      'licence',
      "driver's license",
      "driver's licence",
      'drivers license',
      'driver license',
      'DL',
      'certificate',
      'cert',
      'permit',
      'license number',
    ],
  ],
  [L_PLATE, ['plate', 'license plate', 'licence plate', 'registration plate', 'plate number', 'tag number']],
  [
    L_DEVICE,
    [
      'serial',
      'serial number',
      'S/N',
      'SN',
      'device ID',
      'device',
      'device serial',
      'UDI',
      'IMEI',
      'MEID',
      'implant ID',
      'implant serial',
    ],
  ],
  [L_VIN, ['VIN', 'vehicle identification number']],
  [L_DOB, ['DOB', 'D.O.B.', 'date of birth', 'birth date', 'birthdate', 'born', 'born on']],
  [L_AGE, ['age', 'aged', 'age of']],
  [
    L_POBOX,
    [
      'PO box',
      'P.O. box',
      'post office box',
      'POB',
      'postfach',
      'postbus',
      'postboks',
      'apartado',
      'caixa postal',
      'casilla',
      'boîte postale',
      'skrytka pocztowa',
    ],
  ],
  [
    L_PHONE_WORD,
    [
      'at',
      'on',
      'to',
      'via',
      'reach',
      'tlf',
      'telefon',
      'telefono',
      'telefone',
      'telephone number',
      // Other languages' mobile and phone words: German, Dutch, French, Spanish, Italian, Portuguese, Finnish.
      'handy',
      'mobil',
      'mobiel',
      'telefoon',
      'telefonnummer',
      'rufnummer',
      'portable',
      'móvil',
      'cellulare',
      'telemóvel',
      'puhelin',
      'celular',
      'mob',
      'gsm',
      'cel',
      'home',
      'work',
      'office',
      'daytime',
      'evening',
      'voicemail',
      'text',
      'sms',
      'dial',
      'called',
      'phoned',
      'rang',
    ],
  ],
];

/**
 * A telephone number after a phone or fax label, in any country's grouping: an optional + and area code in
 * parentheses, then digit groups separated by single blanks, dots, dashes or slashes, and an extension. The
 * digit count (7–15) is checked after the match.
 */
/** An extension's word: English, French "poste", German "Durchwahl", Dutch "toestel", Spanish, Portuguese, Japanese. */
const EXTENSION = String.raw`(?:x|ext\.?|extension|poste|durchwahl|toestel|anexo|ramal|内線)`;
const LABELLED_PHONE = new RegExp(
  String.raw`\+?(?:\d{1,4}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,15}(?:[./-]\d{1,10}|[ \t]\d{2,10})*(?:[ \t]*${EXTENSION}[ \t]*[.:-]?[ \t]*\d{1,6})?(?![\w-]|[.,]\d)`,
  'iy',
);
/** An extension and what follows it, cut before a number's digits are counted. */
const EXTENSION_TAIL = new RegExp(`${EXTENSION}.*$`, 'i');
const LABEL_VALUES: RegExp[] = [
  /\d{3}[ -]?\d{2}[ -]?\d{4}(?![\w-])/y,
  LABELLED_PHONE,
  LABELLED_PHONE,
  /\d{5}(?:-?\d{4})?(?![\w-])/y,
  /(?=[A-Z0-9-]*\d\d)[A-Z0-9][A-Z0-9-]{3,18}[A-Z0-9](?![\w-])/y,
  /(?=[A-Z0-9 -]*\d)[A-Z0-9]{1,4}[ -]?[A-Z0-9]{1,5}(?![\w-])/y,
  /(?=[A-Za-z0-9:-]*\d)[A-Za-z0-9][A-Za-z0-9:-]{3,40}[A-Za-z0-9](?![\w-])/y,
  /[A-HJ-NPR-Za-hj-npr-z0-9]{17}(?![\w-])/y,
  /\d{8}(?![\w-])/y,
];
const AGE_VALUE = /\d{2,3}(?![\w.])/y;
const POBOX_VALUE = /\d{1,7}(?![\w-])/y;

const STATE_CODES =
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA PR RI SC SD TN TX UT VT VA WA WV WI WY GU VI AS MP'.split(
    ' ',
  );
const STATE_NAMES =
  'Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Puerto Rico|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|District of Columbia'.split(
    '|',
  );
const STATES = new LabelTrie();
for (const s of [...STATE_CODES, ...STATE_NAMES]) STATES.add(s, 0);
const STATE = `(?:${STATE_CODES.join('|')}|${STATE_NAMES.join('|')})`;

// ---------------------------------------------------------------------------------------------------------
// Patterns. All are module-level and stateful (`g`/`y`); every use resets lastIndex first.

const MONTHS: [string, string, number][] = [
  ['January', 'Jan', 1],
  ['February', 'Feb', 2],
  ['March', 'Mar', 3],
  ['April', 'Apr', 4],
  ['May', 'May', 5],
  ['June', 'Jun', 6],
  ['July', 'Jul', 7],
  ['August', 'Aug', 8],
  ['September', 'Sept', 9],
  ['September', 'Sep', 9],
  ['October', 'Oct', 10],
  ['November', 'Nov', 11],
  ['December', 'Dec', 12],
];
const MONTH_NUMBER = new Map<string, number>();
for (const [full, abbr, n] of MONTHS) {
  for (const w of [full, abbr]) {
    MONTH_NUMBER.set(w, n);
    MONTH_NUMBER.set(w.toUpperCase(), n);
    MONTH_NUMBER.set(w.toLowerCase(), n);
  }
}
/** A month name (Title or upper case, abbreviations with an optional period); the caller rejects one inside a word. */
const MONTH_WORD = new RegExp(
  `(${[...new Set(MONTHS.flatMap(([full, abbr]) => [full, full.toUpperCase(), abbr, abbr.toUpperCase()]))].sort((a, b) => b.length - a.length).join('|')})(?![A-Za-z])(\\.?)`,
  'g',
);
/** After a month: " 14", " 14th", ", 1952", " 14, 1952", "-1952". */
const AFTER_MONTH =
  /(?:[ \t]+(\d{1,2})(?:st|nd|rd|th)?(?![\w:]|\.\d))?(?:(?:,?[ \t]+|-)(\d{4})(?!\w|\.\d))?/y;

// Street suffixes: the USPS list (Publication 28, appendix C1) in full and abbreviated, plural forms included;
// those that name institutions more often than streets (Center, Club, Station, Union, Mall, Camp) are left out.
const SUFFIXES = [
  'Street|St|Streets|Avenue|Ave|Av|Road|Rd|Roads|Boulevard|Blvd|Lane|Ln|Drive|Dr|Drives|Court|Ct|Courts|Way|Ways',
  'Place|Pl|Terrace|Ter|Parkway|Pkwy|Parkways|Highway|Hwy|Circle|Cir|Circles|Square|Sq|Squares|Trail|Trl|Pike',
  'Row|Loop|Alley|Aly|Expressway|Expy|Freeway|Fwy|Plaza|Plz|Run|Path|Walk|Walks|Crossing|Xing|Crescent|Cres',
  'Grove|Grv|Groves|Heights|Hts|Point|Pt|Points|Commons|Common|Cove|Cv|Coves|Bend|Pass|Passage|Ridge|Rdg|Ridges',
  'Landing|Annex|Arcade|Bayou|Beach|Bluff|Bluffs|Bottom|Branch|Bridge|Brook|Brooks|Burg|Burgs|Bypass|Canyon|Cape',
  'Causeway|Cliff|Cliffs|Corner|Corners|Course|Creek|Crest|Crossroad|Curve|Dale|Dam|Divide|Estate|Estates',
  'Extension|Extensions|Fall|Falls|Ferry|Field|Fields|Flat|Flats|Ford|Fords|Forest|Forge|Forges|Fork|Forks',
  'Fort|Garden|Gardens|Gateway|Glen|Glens|Green|Greens|Harbor|Harbors|Haven|Hill|Hills|Hollow|Inlet|Island',
  'Islands|Isle|Junction|Junctions|Key|Keys|Knoll|Knolls|Lake|Lakes|Land|Light|Lights|Loaf|Lock|Locks|Lodge',
  'Manor|Manors|Meadow|Meadows|Mews|Mill|Mills|Mission|Motorway|Mount|Mountain|Mountains|Neck|Orchard|Oval',
  'Overpass|Park|Parks|Pine|Pines|Plain|Plains|Port|Ports|Prairie|Radial|Ramp|Ranch|Rapid|Rapids|Rest|River',
  'Route|Rue|Shoal|Shoals|Shore|Shores|Skyway|Spring|Springs|Spur|Spurs|Stravenue|Stream|Summit|Throughway',
  'Trace|Track|Trafficway|Trailer|Tunnel|Turnpike|Underpass|Valley|Valleys|Via|Viaduct|View|Views|Village',
  'Villages|Ville|Vista|Wall|Well|Wells',
].join('|');
const SUFFIX = `(?:${SUFFIXES}|${SUFFIXES.toUpperCase()})`;
const STREET_WORD = "(?:[A-Z][A-Za-z'’-]*|\\d{1,3}(?:st|nd|rd|th|ST|ND|RD|TH))";
const UNIT =
  '(?:Apt|Apartment|Unit|Suite|Ste|Fl|Floor|Rm|Room|Bldg|Building|Lot|Trlr|APT|UNIT|SUITE|STE|#)\\.?[ \\t]*#?[ \\t]*[A-Za-z0-9-]{1,6}(?![\\w-])';
const ADDRESS = new RegExp(
  `\\d{1,6}[A-Z]?(?:-\\d{1,5})?[ \\t]+(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\\.?[ \\t]+)?(?:${STREET_WORD}[ \\t]+){1,4}${SUFFIX}(?![A-Za-z])\\.?(?:[ \\t]+(?:N|S|E|W|NE|NW|SE|SW)(?![A-Za-z])\\.?)?(?:,?[ \\t]+${UNIT})?`,
  'y',
);
/** {@link ADDRESS} in any case ("576 waelchi forks", "3715 s 14th street"); group 1 is the street suffix. */
const ADDRESS_ANY_CASE = new RegExp(
  `\\d{1,6}[A-Za-z]?(?:-\\d{1,5})?[ \\t]+(?:(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\\.?[ \\t]+)?(?:(?:[a-z][a-z'’-]*|\\d{1,3}(?:st|nd|rd|th))[ \\t]+){1,4}(${SUFFIXES})(?![a-z])\\.?(?:[ \\t]+(?:n|s|e|w|ne|nw|se|sw)(?![a-z])\\.?)?(?:,?[ \\t]+${UNIT})?`,
  'iy',
);
/** Street suffixes that name nothing but a street, taken in lower case without an address cue before them. */
const PLAIN_SUFFIXES =
  'street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|place|terrace|parkway|pkwy|highway|hwy|circle|cir|crescent|alley';
/** {@link ADDRESS_ANY_CASE} with a {@link PLAIN_SUFFIXES} suffix: a street address without a cue before it. */
const PLAIN_ADDRESS = new RegExp(
  `\\d{1,6}[A-Za-z]?(?:-\\d{1,5})?[ \\t]+(?:(?:[a-z][a-z'’-]*|\\d{1,3}(?:st|nd|rd|th))\\.?[ \\t]+){1,4}(?:${PLAIN_SUFFIXES})(?![a-z])\\.?(?:[ \\t]+(?:n|s|e|w|ne|nw|se|sw)(?![a-z])\\.?)?(?:,?[ \\t]+${UNIT})?`,
  'iy',
);
/**
 * Street types of other languages, as whole words ("Rue", "Via", "ul.", "Sokak") or as the end of a compound
 * ("Dornierstraße", "Kerkstraat", "Storgatan", "Hovedgade", "országút", "세종대로"), for addresses written with the
 * house number after the street.
 */
const STREET_TYPE_WORDS = new Set(
  (
    'rue avenue av boulevard bd chemin impasse allée allee place quai cours via viale piazza piazzale corso vicolo ' +
    'largo strada rua avenida travessa praça praca alameda calle carrer avinguda paseo plaza ul ulica aleja al plac ' +
    'osiedle droga utca tér ter körút korut köz fasor sokak sokağı caddesi cad cd bulvarı bulvari mahallesi ulice ' +
    'náměstí namesti třída nábřeží námestie cesta trg put obala ulitsa vulytsia vul prosp prospekt prospekts ' +
    'pereulok provulok odos οδός οδος λεωφόρος πλατεία вулиця вул проспект просп провулок площа бульвар улица ' +
    'calea aleea bulevardul soseaua șoseaua piața piata splaiul intrarea gade vej allé iela bulvāris gatan vägen gata ' +
    // Sixth round: Latvian, Greek, Russian and Ukrainian abbreviations, Spanish, Portuguese, Indonesian, Finnish,
    // Estonian, Lithuanian words, and the street words of the Hebrew, Arabic, Persian, Armenian, Georgian and Thai
    // scripts ("Mazā Jaunavu dambis 61", "Παρ. Αθανασίου 4", "наб. Сплавная, 210", "Jl. Merdeka 5").
    'laukums dambis gāte gatve šoseja παρ наб шоссе пер пл rúa avda pza jalan jl katu tänav gatvė ' +
    'רחוב شارع خیابان փողոց ქუჩა ถนน'
  ).split(' '),
);
const STREET_TYPE_END =
  /(?:straße|strasse|str\.?|gasse|weg|platz|allee|straat|laan|gracht|plein|steeg|singel|kade|dreef|gatan|vägen|gata|gränd|gade|vej|stræde|veien|vegen|katu|kuja|út|utca|iela|로|길|-ro|-gil)$/iu;
/** A number and a unit after it: "2 hour", "10-minute", "3 blocks". */
const QUANTITY_WORD =
  /^\d+[ \t-]+(?:hours?|hr|hrs|minutes?|mins?|miles?|mi|km|kilometers?|blocks?|days?|weeks?|months?|years?|feet|foot|ft|steps?|times?|lanes?|stor(?:y|ies)|flights?|laps?|rounds?|sets?|units?|points?)(?![A-Za-z])/i;
/** Before a street address: "Lives at", "resides at", "Home address:", "address is", "moved to". */
const ADDRESS_CUE =
  /(?:address(?:[ \t]+is)?[ \t]*:?|(?:lives|living|lived|live|resides|residing|reside|located|moved|staying|stays)[ \t]+(?:at|to|on|in))[ \t]*$/i;
/** An address label before a colon, in English and other languages: "Address on file:", "Anschrift:", "כתובת:". */
const ADDRESS_LABEL =
  /(?:addr(?:ess)?\.?(?:[ \t]+o[nf][ \t]+(?:file|record))?|adresse|anschrift|direcci[oó]n|domicilio|endere[cç]o|indirizzo|adres|adresa|c[ií]m|osoite|adress|адрес|διεύθυνση|כתובת|العنوان|نشانی|հասցե|მისამართი|ที่อยู่|주소|住所|地址)[ \t]*:[ \t]*$/i;
/** A word that ends the street part of an address read forwards after a cue: "Lives at 12 rue X with her son". */
const ADDRESS_STOP = new Set(
  'with and on since for in near from until where who alone together but since when while since of at to is was'.split(
    ' ',
  ),
);

/**
 * FNV-1a hash of the ASCII letters [s, e) of `text` lower-cased (apostrophes, periods and dashes as they are),
 * or -1 when the range holds another character: the word is then read as a string.
 */
function asciiWordHash(text: string, s: number, e: number): number {
  let h = 0x811c9dc5 | 0;
  for (let k = s; k < e; k++) {
    let c = text.charCodeAt(k);
    if (c > 127) return -1;
    if (c >= 65 && c <= 90) c += 32;
    h = Math.imul(h ^ c, 16777619);
  }
  return h & 0x3fffffff;
}

/** Whether [s, e) of `text`, lower-cased (ASCII), is `word`. */
function equalsLower(text: string, s: number, e: number, word: string): boolean {
  if (e - s !== word.length) return false;
  for (let k = 0; k < word.length; k++) {
    let c = text.charCodeAt(s + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** Hashes of the ASCII words of `words` (see {@link asciiWordHash}), each with its word. */
function asciiHashes(words: Iterable<string>): Map<number, string> {
  const out = new Map<number, string>();
  for (const w of words) {
    const h = asciiWordHash(w, 0, w.length);
    if (h >= 0) out.set(h, w);
  }
  return out;
}

const ADDRESS_STOP_HASHES = asciiHashes([...ADDRESS_STOP, 'address']);
const STREET_TYPE_HASHES = asciiHashes(STREET_TYPE_WORDS);
/** The ASCII endings of {@link STREET_TYPE_END} (the others hold letters an ASCII word cannot). */
const STREET_TYPE_ASCII_ENDS = STREET_TYPE_END.source
  .replace(/^\(\?:|\)\$$/g, '')
  .split('|')
  .flatMap((e) => (e === 'str\\.?' ? ['str', 'str.'] : [e]))
  .filter((e) => /^[a-z.-]+$/.test(e));

/**
 * The last two characters of every ending in {@link STREET_TYPE_ASCII_ENDS}, by code pair: up to two words before
 * each house number are tried against every ending, and most ("Sodium 139") end in a pair none has, rejected by
 * one look-up.
 */
const STREET_TYPE_END_PAIRS = new Uint8Array(128 * 128);
for (const end of STREET_TYPE_ASCII_ENDS)
  STREET_TYPE_END_PAIRS[end.charCodeAt(end.length - 2) * 128 + end.charCodeAt(end.length - 1)] = 1;

/** Whether the ASCII word [s, e) ends in a street type ("Dornierstr.", "Kerkstraat"), in any case. */
function hasStreetTypeEnd(text: string, s: number, e: number): boolean {
  // Every ending is three characters or more; `| 32` lower-cases the letters and keeps . ' - as they are.
  const pair = (text.charCodeAt(e - 2) | 32) * 128 + (text.charCodeAt(e - 1) | 32);
  if (e - s < 3 || STREET_TYPE_END_PAIRS[pair] !== 1) return false;
  for (const end of STREET_TYPE_ASCII_ENDS) {
    const n = end.length;
    if (e - s >= n && equalsLower(text, e - n, e, end)) return true;
  }
  return false;
}

/** ", Grand Rapids, MI" after a street address: the city (a subdivision smaller than a state) is masked too. */
const CITY_AFTER = new RegExp(
  `,?[ \\t]+((?:[A-Z][a-z]+\\.?|[A-Z]{2,})(?:[ \\t]+(?:[A-Z][a-z]+|[A-Z]{2,}|of)){0,3})(?=,?[ \\t]+${STATE}(?![A-Za-z]))`,
  'y',
);

const SSN_SHAPE = /^\d{3}-\d{2}-\d{4}$/;
// SSNs as written with spaces or dots (one separator throughout) between the three groups.
const SPLIT_SSN = /\d{3}([ \t.])\d{2}\1\d{4}(?![\w-]|[.,]\d)/y;
const PHONE =
  /(?:\+?1[ .-]?)?(?:\((\d{3})\)[ .-]?|(\d{3})[ .-])(\d{3})[ .-](\d{4})(?:[ \t]*(?:x|ext\.?|extension)[ \t]*\d{1,6}(?!\w)|(?![\w-]|\.\d))/y;
/** A national number with its area code in parentheses, grouped in twos to fours: "(982)728-61-00", "(0667) 628745165". */
const PAREN_PHONE = /\(\d{2,5}\)[ \t]?\d{2,10}(?:[ -]\d{2,4}){0,3}(?![\w-]|[.,]\d)/y;
const INTL_PHONE = /\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){1,2}(?:[ .-]?\d{1,4}){1,5}(?![\w-]|\.\d)/y;
/** Numeric dates: ISO (with an optional time), month/day/year in US (or day/month) order, or month/year. */
const NUMERIC_DATE =
  /(?:(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:[ \t]?(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?)?|(\d{1,2})([/.-])(\d{1,2})\6(\d{4}|\d{2})|(\d{1,2})\/((?:19|20)\d{2}))(?![\w/]|[.-]\d)/y;
/** After a number from 90 to 129: "-year-old", " years", " yo". */
const AGE_AFTER =
  /[ \t]*-?[ \t]*(?:[Yy](?:ears?|EARS?|rs?|RS?|\/[Oo]|\.[Oo]\.|[Oo]))(?:[ \t-]*(?:old|OLD))?(?![A-Za-z])/y;
const URL = /(?<![A-Za-z0-9])(?:(?:https?|ftp|sftp|file):\/\/|www\.)[^\s<>"'`{}|\\^[\]]+/gi;
/**
 * Where the first {@link URL} with a scheme in `text` can start, or -1 when none can: 5 (the longest scheme,
 * https) before the first "://". Addresses starting "www." are found from their periods ({@link DetectorSet.bareUrlAt}).
 */
function urlScanStart(text: string): number {
  const colon = text.indexOf('://');
  return colon >= 0 ? Math.max(0, colon - 5) : -1;
}
/** "www" (any case) at `pos`, not inside a word. */
function wwwAt(text: string, pos: number): boolean {
  if (pos < 0 || (pos > 0 && isAlnumCode(text.charCodeAt(pos - 1)))) return false;
  for (let i = pos; i < pos + 3; i++) if ((text.charCodeAt(i) | 32) !== 119) return false;
  return true;
}
const IPV4 = /(?:\d{1,3}\.){3}\d{1,3}(?!\d|\.\d)/y;
const MAC_COLON = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/;
const MAC_DASH = /^[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}$/;
const CARD = /[3-6](?:[ -]?\d){12,18}(?![\d-])/y;
const UDI = /\(01\)\d{14}(?:\(\d{2,4}\)[A-Za-z0-9-]{1,20})*/g;
const DIGITS = /\d+/g;
/** Length·32 + first letter of every month name and abbreviation (lower case), for {@link DetectorSet.lowerMonthDate}. */
const MONTH_SHAPES = new Uint8Array(12 * 32);
for (const [full, abbr] of MONTHS)
  for (const w of [full, abbr]) MONTH_SHAPES[w.length * 32 + (w.charCodeAt(0) & 31)] = 1;
/** A UUID (device and implant serials, app instance ids): 8-4-4-4-12 hexadecimal digits. */
const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
/** A month/day and a time of day after it: "6/5 13:28", "12/17 2:07 PM", "7/7 @ 1853". */
const MONTH_DAY_TIME =
  /(\d{1,2})\/(\d{1,2})(?:[ \t]+|[ \t]*@[ \t]*)(?:\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]*[AaPp]\.?[Mm]\.?)?(?![\w:])|(?<=@[ \t]*)[0-2]\d[0-5]\d(?!\w))/y;
/** A time of day after a date: " 13:28", " 2:07 PM", "T08:30:00Z" is taken by the ISO form. */
const TIME_AFTER = /[ \t]+(?:at[ \t]+|@[ \t]*)?\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]*[AaPp]\.?[Mm]\.?)?(?![\w:])/y;
/** Ages over 89 in words, ending right before a unit of years: "ninety-nine-", "one hundred and two ". */
const WRITTEN_AGE_BEFORE =
  /(?<![A-Za-z-])(?:ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|(?:(?:one|a)[- ])?hundred(?:(?:[- ]and)?[- ](?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?))?)([ \t]*-?[ \t]*)$/i;
/** How " at " is written in obfuscated emails. */
const AT_WORDS = [' at ', '[at]', '(at)', '{at}', ' AT '];
/** The domain of an obfuscated email: labels joined by "dot", "[dot]", "(dot)" or a period. */
const OBFUSCATED_DOMAIN =
  /[ \t]*[A-Za-z0-9-]+(?:(?:[ \t]+(?:dot|DOT)[ \t]+|[ \t]*(?:\[dot\]|\(dot\)|\{dot\})[ \t]*|\.)[A-Za-z0-9-]+)+(?![\w@])/y;
/** "jane dot " pairs before an obfuscated email's last local word. */
const LOCAL_DOTS = /(?:[A-Za-z0-9._%+-]+[ \t]+(?:dot|DOT)[ \t]+)+$/;
/**
 * The anchors of the rarer detectors, found in one scan: a period and the letters of a possible top-level domain
 * (group 1), a unit of years where an age in words may end (group 2), and the marks of an obfuscated email.
 */
const RARE_ANCHORS =
  /(\.[A-Za-z]{2,6}(?![A-Za-z0-9-]|\.[A-Za-z0-9]))|([Yy](?:ears?|EARS?|rs?|RS?|\/[Oo]|[Oo])(?![A-Za-z]))|\[at\]|\(at\)|dot[ \t]/g;
/** Common top-level domains (generic ones and the larger country codes), which end a web address without a scheme. */
const TOP_LEVEL_DOMAINS = new Set(
  'com org net edu gov mil int io co info biz me app dev health online site xyz tv ly name pro tech ai us uk ca au de fr es it nl pl cz sk hu tr vn ru ua cn jp kr br mx ar in ch at be se no dk fi pt gr ro hr eu ie nz za'.split(
    ' ',
  ),
);

const BIOMETRIC =
  /(?<![A-Za-z])(?:finger[ -]?prints?|thumb[ -]?prints?|palm[ -]?prints?|retina(?:l)?[ \t]+scans?|iris[ \t]+(?:scans?|recognition)|voice[ -]?prints?|voice[ \t]+recognition|face[ -]?prints?|facial[ \t]+(?:recognition|scans?|photo(?:graph)?s?)|full[ -]face[ \t]+photo(?:graph)?s?|biometrics?)(?![A-Za-z])/gi;
/** Cheap pre-check: a word part every biometric phrase contains. */
const BIOMETRIC_HINT = /print|scan|biometric|recogni|photo/i;

/**
 * {@link MONTH_WORD} or a {@link BIOMETRIC_HINT} word (written with [Xx] classes, which match what the `i` flag
 * does): one scan for both. They cannot match at the same place, and neither can hide the other: a hint word
 * holds no month name, and a month name found inside a hint word is one the month scan rejects.
 */
const MONTH_WORD_OR_HINT = new RegExp(
  `${MONTH_WORD.source}|${BIOMETRIC_HINT.source
    .split('|')
    .map((w) => [...w].map((c) => `[${c.toUpperCase()}${c}]`).join(''))
    .join('|')}`,
  'g',
);
const DATA_IMAGE = /data:image\/[A-Za-z0-9.+-]+;base64,[A-Za-z0-9+/=\r\n]*/gi;
/** Base64 openings of JPEG, PNG, GIF, WebP, TIFF and BMP files. */
const IMAGE_MAGIC =
  /^(?:\/9j\/|iVBORw0KGgo|R0lGOD[lh]|UklGR|SUkqA|TU0AK|Qk[0-9A-Za-z+/]{2}AAAAAA)[A-Za-z0-9+/]{56}/;

// Column and key names as context.

const CONTEXT_RULES: [RegExp, string][] = [
  [/(?:^|_)(?:ssn|social_security(?:_number|_no|_num)?|socsec|ss_?num)(?:$|_)/, 'ssn'],
  [
    /(?:^|_)(?:mrn|medical_record(?:_number|_num|_no|_id)?|med_rec(?:_num|_no)?|chart_(?:number|num|no|id)|mr_?(?:number|num|no))(?:$|_)/,
    'mrn',
  ],
  [/(?:^|_)fax(?:$|_)/, 'fax'],
  [/(?:^|_)(?:phone|telephone|tel|mobile|cell|cellphone|pager|contact_number)(?:$|_)/, 'phone'],
  [/(?:^|_)(?:e_?mail|email_address)(?:$|_)/, 'email'],
  [/(?:^|_)(?:zip|zipcode|zip_code|postal|postal_code|postcode)(?:$|_)/, 'zip'],
  [/(?:^|_)(?:address|addr|street|address_line_?\d?|city|town|county|municipality)(?:$|_)/, 'address'],
  [
    /(?:^|_)(?:member_id|subscriber_id|health_plan(?:_id|_number)?|plan_member_id|insurance_id|policy_(?:number|num|no|id)|medicaid(?:_id)?|medicare(?:_id)?|mbi|hicn|beneficiary_id)(?:$|_)/,
    'health_plan',
  ],
  [
    /(?:^|_)(?:account|acct|account_(?:number|num|no|id)|billing_account|iban|card_number|credit_card)(?:$|_)/,
    'account',
  ],
  [/(?:^|_)(?:license_plate|plate|plate_number|tag_number)(?:$|_)/, 'plate'],
  [
    /(?:^|_)(?:licen[cs]e(?:_number|_num|_no)?|dl_(?:number|num|no)|drivers?_licen[cs]e|certificate(?:_number|_no)?)(?:$|_)/,
    'license',
  ],
  [/(?:^|_)vin(?:$|_)/, 'vin'],
  [/(?:^|_)(?:serial|serial_number|device_id|device_serial|udi|imei|mac|mac_address)(?:$|_)/, 'device'],
  [/(?:^|_)(?:ip|ip_address|ipv4|ipv6|client_ip|remote_addr|remote_ip|source_ip)(?:$|_)/, 'ip'],
  [/(?:^|_)(?:url|website|homepage|web_address)(?:$|_)/, 'url'],
  [/(?:^|_)(?:dob|birth_?date|date_of_birth|birthday|birth_dt)(?:$|_)/, 'date'],
  [/(?:^|_)age(?:$|_)/, 'age'],
];
const NAME_TOKEN = /(?:^|_)(?:name|names|surname|firstname|lastname|fname|lname|fullname|maiden)(?:$|_)/;
const NON_PERSON =
  /(?:^|_)(?:drug|medication|med|test|lab|facility|hospital|clinic|file|table|column|field|product|company|org|organization|organisation|department|dept|device|brand|generic|procedure|code|host|hostname|domain|city|street|state|country|place|event|plan|payer|insurance|diagnosis|condition|unit|item|category|type|class|group|project|dataset|schema|app|service|model|vendor|manufacturer|site|location|ward|team|role|tag|label|key|source|specialty|display|feature|pharmacy|practice)(?:$|_)/;
const PERSON_COLUMNS = new Set([
  'patient',
  'guardian',
  'mother',
  'father',
  'spouse',
  'author',
  'attending',
  'attending_physician',
  'physician',
  'provider',
  'clinician',
  'doctor',
  'nurse',
  'signed_by',
  'signer',
  'emergency_contact',
  'next_of_kin',
  'caregiver',
  'pcp',
  'referring_physician',
  'referring_provider',
  'ordering_provider',
  'ordering_physician',
  'rendering_provider',
]);

const contextCache = new Map<string, string | null>();

/**
 * The identifier kind a column or JSON key name announces (`ssn`, `patient_phone`, `firstName` …), or
 * undefined. Values under such a name are checked against that kind's shape as a whole.
 */
export function contextKind(name: string): string | undefined {
  const cached = contextCache.get(name);
  if (cached !== undefined) return cached ?? undefined;
  const leaf = name.slice(name.lastIndexOf('.') + 1);
  const norm = leaf
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  let kind: string | undefined;
  for (const [re, k] of CONTEXT_RULES) {
    if (re.test(norm)) {
      kind = k;
      break;
    }
  }
  if (kind === undefined && ((NAME_TOKEN.test(norm) && !NON_PERSON.test(norm)) || PERSON_COLUMNS.has(norm)))
    kind = 'name';
  // Bounded: column and key names come from schemas, but JSON keys could be arbitrary.
  if (contextCache.size > 10_000) contextCache.clear();
  contextCache.set(name, kind ?? null);
  return kind;
}

const ID_SHAPE = /^[A-Za-z0-9][A-Za-z0-9 .:/-]{2,40}$/;
const HAS_DIGIT = /\d/;
/** Digits of other scripts: Arabic-Indic, Eastern Arabic (Persian, Urdu), Devanagari, Bengali (full-width apart). */
const NATIVE_DIGITS = String.raw`\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\u09e6-\u09ef`;
const NATIVE_DIGIT = new RegExp(String.raw`[${NATIVE_DIGITS}\uff10-\uff19]`);
/** Those digits, and the full-width parentheses, plus, dash, dot and slash that Japanese numbers are written with. */
const NATIVE_NUMBER_CHARS = new RegExp(String.raw`[${NATIVE_DIGITS}\uff08\uff09\uff0b\uff0d-\uff19]`, 'g');
/** The ASCII character of a {@link NATIVE_NUMBER_CHARS} character `c`. */
const asciiOf = (c: number): number =>
  c >= 0xff08
    ? c - 0xfee0
    : 48 + c - (c >= 0x09e6 ? 0x09e6 : c >= 0x0966 ? 0x0966 : c >= 0x06f0 ? 0x06f0 : 0x0660);
/** `text` with {@link NATIVE_NUMBER_CHARS} as ASCII: one code unit each, so every offset stays. */
function asciiDigits(text: string): string {
  return text.replace(NATIVE_NUMBER_CHARS, (d) => String.fromCharCode(asciiOf(d.charCodeAt(0))));
}
const SIMPLE_WORD = /^[A-Za-z0-9_]+$/;

/** True when a whole value (trimmed) has the shape of `kind`, as a value under a telling column name must. */
function wholeValueIs(kind: string, value: string): boolean {
  switch (kind) {
    case 'name':
      return looksLikeName(value);
    case 'ssn':
      return isValidSsn(value);
    case 'phone':
    case 'fax': {
      if (!/^[+()\d .-]{7,20}(?:[ \t]*(?:x|ext\.?)[ \t]*\d{1,6})?$/i.test(value)) return false;
      // Under a phone column any country's number counts: 7 to 15 digits (ITU E.164), the extension aside.
      const digits = value.replace(/(?:x|ext\.?).*$/i, '').replace(/\D/g, '');
      return digits.length >= 7 && digits.length <= 15;
    }
    case 'zip':
      return /^\d{5}(?:-?\d{4})?$/.test(value);
    case 'email':
      return value.includes('@');
    case 'address':
    case 'url':
      return /[A-Za-z0-9]/.test(value);
    case 'ip':
      return isIpv4(value) || isIpv6(value);
    case 'vin':
      return /^[A-HJ-NPR-Z0-9]{17}$/i.test(value);
    case 'date':
      return parseDateCell(value) !== undefined || compactDate(value);
    case 'age': {
      const n = Number(value);
      return Number.isFinite(n) && n > 89;
    }
    default:
      return ID_SHAPE.test(value) && HAS_DIGIT.test(value);
  }
}

/** `YYYYMMDD` or `MMDDYYYY` that is a real date. */
function compactDate(digits: string): boolean {
  if (!/^\d{8}$/.test(digits)) return false;
  const a = Number(digits.slice(0, 4));
  if (isValidDate(a, Number(digits.slice(4, 6)), Number(digits.slice(6)))) return true;
  return isValidDate(Number(digits.slice(4)), Number(digits.slice(0, 2)), Number(digits.slice(2, 4)));
}

// ---------------------------------------------------------------------------------------------------------

interface CompiledPattern {
  kind: string;
  re: RegExp;
  hasId: boolean;
}

/**
 * Compiles a kind's patterns: those without an `id` group are joined into one alternation (one scan of the
 * text instead of several); each with an `id` group stays on its own.
 */
function compilePatterns(kind: string, sources: readonly string[]): CompiledPattern[] {
  // Back-references would be renumbered by joining, so patterns with them stay on their own too.
  const alone = (src: string): boolean => /\(\?<id>|\\[1-9]|\\k</.test(src);
  const plain = sources.filter((src) => !alone(src));
  const out: CompiledPattern[] = sources
    .filter(alone)
    .map((src) => ({ kind, re: new RegExp(src, 'gd'), hasId: /\(\?<id>/.test(src) }));
  if (plain.length > 0)
    out.push({ kind, re: new RegExp(plain.map((src) => `(?:${src})`).join('|'), 'g'), hasId: false });
  return out;
}

const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;
const isAlnumCode = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isIdCode = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
const isUpperCode = (c: number): boolean => c >= 65 && c <= 90;
const isAsciiLetterCode = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isHexOrColon = (c: number): boolean =>
  (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isLocalCode = (c: number): boolean =>
  (c >= 48 && c <= 57) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  c === 95 ||
  c === 46 ||
  c === 37 ||
  c === 43 ||
  c === 45 ||
  c === 39;
const isDomainCode = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46;

/** Counts, per kind, of identifiers masked, and the flags raised, while redacting. */
export interface RedactionStats {
  counts: Map<string, number>;
  flags: Set<string>;
}

/**
 * A compiled set of detectors. Compile once (per policy) and reuse: detection allocates only for what it finds.
 * Every pass is cheap: one over tokens that carry digits (labels read backwards: "MRN:", "SSN", "fax", "member
 * ID"), one over capitalised words (names), and a few expressions anchored on digits or rare characters.
 * Not re-entrant (it reuses buffers); JavaScript being single-threaded, that only matters for recursion.
 */
export class DetectorSet {
  readonly kinds: ReadonlySet<string>;
  private readonly on: Record<string, boolean>;
  private readonly labels: LabelTrie;
  private readonly labelValues: RegExp[];
  private readonly patterns: CompiledPattern[];
  /** The patterns scanned over text with digits: {@link patterns} less those the digit pass runs at digit runs. */
  private readonly textPatterns: CompiledPattern[];
  /** The default health plan patterns, sticky: the digit pass tries them at the digit runs they can start. */
  private readonly planAtRun: RegExp | undefined;
  private readonly found: Found[] = [];

  constructor(options: DetectorOptions = {}) {
    const kinds = new Set(options.kinds ?? DETECTOR_KINDS);
    for (const c of options.custom ?? []) kinds.add(c.kind);
    this.kinds = kinds;
    this.on = Object.fromEntries(DETECTOR_KINDS.map((k) => [k, kinds.has(k)]));
    const mrn = { ...DEFAULT_MRN, ...options.mrn };
    const plan = { ...DEFAULT_HEALTH_PLAN, ...options.healthPlan };
    const account = { ...DEFAULT_ACCOUNT, ...options.account };
    this.labels = new LabelTrie();
    for (const [kind, phrases] of FIXED_LABELS) for (const p of phrases) this.labels.add(p, kind);
    for (const p of mrn.labels) this.labels.add(p, L_MRN);
    for (const p of plan.labels) this.labels.add(p, L_PLAN);
    for (const p of account.labels) this.labels.add(p, L_ACCOUNT);
    this.labelValues = [
      ...LABEL_VALUES,
      new RegExp(mrn.value, 'y'),
      new RegExp(plan.value, 'y'),
      new RegExp(account.value, 'y'),
      AGE_VALUE,
      POBOX_VALUE,
      LABELLED_PHONE,
    ];
    const planPatterns = kinds.has('health_plan') ? compilePatterns('health_plan', plan.patterns) : [];
    this.patterns = [
      ...(kinds.has('mrn') ? compilePatterns('mrn', mrn.patterns) : []),
      ...planPatterns,
      ...(kinds.has('account') ? compilePatterns('account', account.patterns) : []),
      ...(options.custom ?? []).flatMap((c) => compilePatterns(c.kind, [c.pattern])),
    ];
    // Every match of the default health plan patterns starts a digit run: one digit before a capital (an MBI)
    // or nine digits after a capital (a payer prefix). The digit pass tries them there instead of a text scan.
    const defaultPlan =
      planPatterns.length === 1 &&
      plan.patterns.length === DEFAULT_HEALTH_PLAN.patterns.length &&
      plan.patterns.every((src, i) => src === DEFAULT_HEALTH_PLAN.patterns[i]);
    this.planAtRun = defaultPlan ? new RegExp(planPatterns[0]!.re.source, 'y') : undefined;
    this.textPatterns = defaultPlan ? this.patterns.filter((p) => p !== planPatterns[0]) : this.patterns;
  }

  /**
   * Finds identifiers in `text`. `context` is the column or JSON key the text sits under; `seeds` are
   * lower-cased name words known from the same row. Returns non-overlapping detections sorted by start:
   * masked kinds merged where they overlap, flags (`biometric`, `image`) listed as found.
   */
  detect(text: string, context?: string, seeds?: ReadonlySet<string>): Detection[] {
    const merged = this.scan(text, context === undefined ? undefined : contextKind(context), seeds);
    return merged.map((f) => ({ kind: f.kind, start: f.start, end: f.end }));
  }

  /**
   * `text` with every detected identifier replaced by its tag (`[SSN]`); flags are recorded, not replaced.
   * Returns `text` itself when nothing was found. `ctxKind` is a {@link contextKind} result.
   */
  redact(
    text: string,
    ctxKind: string | undefined,
    stats: RedactionStats,
    seeds?: ReadonlySet<string>,
  ): string {
    const merged = this.scan(text, ctxKind, seeds);
    if (merged.length === 0) return text;
    let out = '';
    let last = 0;
    let replaced = false;
    for (const f of merged) {
      if (f.rank < 0) {
        stats.flags.add(f.kind);
        continue;
      }
      out += text.slice(last, f.start) + tagFor(f.kind);
      last = f.end;
      replaced = true;
      stats.counts.set(f.kind, (stats.counts.get(f.kind) ?? 0) + 1);
    }
    return replaced ? out + text.slice(last) : text;
  }

  /** Runs every enabled detector; returns merged detections (the internal buffer is reused). */
  private scan(text: string, ctxKind: string | undefined, seeds?: ReadonlySet<string>): Found[] {
    const found = this.found;
    found.length = 0;
    if (text.length === 0) return found;
    // "Tel: ٠٥٠١٢٣٤٥٦٧", "फ़ोन: ९८७६५ ४३२१०": numbers in other scripts' digits are read as ASCII ones.
    if (NATIVE_DIGIT.test(text)) text = asciiDigits(text);
    if (ctxKind !== undefined && this.kinds.has(ctxKind)) {
      const trimmed = text.trim();
      if (trimmed.length > 0 && wholeValueIs(ctxKind, trimmed)) {
        const start = text.indexOf(trimmed);
        return [{ kind: ctxKind, start, end: start + trimmed.length, rank: LABELLED }];
      }
    }
    if (text.length < 3 && seeds === undefined) return found;
    const on = this.on;
    // A short single word of letters and digits (a key such as P000123): only standalone patterns (and names
    // seeded from the row) can match it; VINs, cards and images are longer.
    if (text.length < 13 && SIMPLE_WORD.test(text)) {
      for (const p of this.patterns) this.pattern(p, text);
      if (on['name'] && seeds !== undefined) detectNames(text, found, PRIORITY['name']!, seeds);
      return found.length === 0 ? found : merge(found);
    }
    if (HAS_DIGIT.test(text)) {
      this.tokens(text);
      if (on['device'] && text.includes('(01)')) this.regexAll(UDI, text, 'device');
    }
    // With dates on, the month scan looks for the biometric hint words too.
    const hint = on['date'] ? this.monthDates(text, on['biometric']!) : false;
    for (const p of this.textPatterns) this.pattern(p, text);
    if (on['email'] && text.includes('@')) this.emails(text);
    if (on['url']) this.urls(text);
    // Web addresses without a scheme, ages in words and obfuscated emails, from one scan for their anchors.
    if (on['url'] || on['age'] || on['email']) this.rareAnchors(text);
    if (on['name'] || on['address'])
      detectNames(text, found, PRIORITY['name']!, seeds, on['address'] ? PRIORITY['address'] : undefined);
    if (on['biometric'] && (on['date'] ? hint : BIOMETRIC_HINT.test(text)))
      this.regexAll(BIOMETRIC, text, 'biometric', undefined, FLAG);
    if (on['image']) this.images(text);
    if (found.length === 0) return found;
    this.recurrences(text);
    return merge(found);
  }

  /**
   * Every other mention of a record, plan or account number found in `text` ("MRN 4471203 … 4471203 was
   * merged"): a number found once under its label is the same identifier wherever it recurs.
   */
  private recurrences(text: string): void {
    const found = this.found;
    const n = found.length;
    for (let i = 0; i < n; i++) {
      const f = found[i]!;
      if ((f.kind !== 'mrn' && f.kind !== 'health_plan' && f.kind !== 'account') || f.end - f.start < 6)
        continue;
      const value = text.slice(f.start, f.end);
      for (let p = text.indexOf(value); p >= 0; p = text.indexOf(value, p + 1)) {
        if (p === f.start) continue;
        const q = p + value.length;
        if (
          (p > 0 && isAlnumCode(text.charCodeAt(p - 1))) ||
          (q < text.length && isAlnumCode(text.charCodeAt(q)))
        )
          continue;
        this.push(f.kind, p, q, 0);
      }
    }
  }

  private push(kind: string, start: number, end: number, rank: number): void {
    // Flags (rank FLAG) keep a negative rank, so merging tells them apart without a set lookup.
    this.found.push({ kind, start, end, rank: rank < 0 ? rank : rank + (PRIORITY[kind] ?? 2) });
  }

  private regexAll(
    re: RegExp,
    text: string,
    kind: string,
    ok?: (m: RegExpExecArray) => boolean,
    rank = 0,
  ): void {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (ok === undefined || ok(m)) this.push(kind, m.index, m.index + m[0].length, rank);
    }
  }

  private pattern(p: CompiledPattern, text: string): void {
    const re = p.re;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      const span = p.hasId ? m.indices?.groups?.['id'] : undefined;
      if (span) this.push(p.kind, span[0], span[1], LABELLED);
      else this.pushWord(text, p.kind, m.index, m.index + m[0].length);
    }
  }

  /**
   * One pass over tokens that carry digits (`S12345678`, `2020-10-26`, `95391962`). At each, the detectors that
   * can start there run as sticky expressions: labelled values (the label read backwards: "MRN:", "SSN", "fax",
   * "member ID", "serial no."), VINs by check digit, numeric dates, SSNs, phone numbers, IP and MAC addresses,
   * payment cards, ages over 89, street addresses, and ZIP codes after a state.
   */
  private tokens(text: string): void {
    const len = text.length;
    const plan = this.planAtRun;
    let covered = 0;
    DIGITS.lastIndex = 0;
    while (DIGITS.test(text)) {
      const runEnd = DIGITS.lastIndex;
      let runStart = runEnd - 1;
      while (runStart > 0 && isDigitCode(text.charCodeAt(runStart - 1))) runStart--;
      // A run that starts before `covered` was passed to planAt by the loop over the runs in the last token.
      if (runStart < covered) continue;
      if (plan !== undefined) this.planAt(plan, text, runStart, runEnd);
      let s = runStart;
      while (s > covered && isIdCode(text.charCodeAt(s - 1))) s--;
      let e = runEnd;
      while (e < len && isIdCode(text.charCodeAt(e))) e++;
      while (text.charCodeAt(s) === 45) s++;
      while (e > s && text.charCodeAt(e - 1) === 45) e--;
      const end = Math.max(this.token(text, s, e, runStart, runEnd), e);
      // The digit runs inside what the token took are passed by the scan; health plan ids may start there too.
      if (plan !== undefined && end > runEnd + 1) this.planIn(plan, text, runEnd + 1, end);
      covered = end;
      DIGITS.lastIndex = end;
    }
  }

  /**
   * The default health plan patterns at the digit run [rs, re), where all their matches start: one digit before
   * a capital (a Medicare Beneficiary Identifier) or nine digits after one (a payer prefix).
   */
  private planAt(plan: RegExp, text: string, rs: number, re: number): void {
    const n = re - rs;
    if (n === 1 ? !isUpperCode(text.charCodeAt(re)) : n !== 9 || !isUpperCode(text.charCodeAt(rs - 1)))
      return;
    plan.lastIndex = rs;
    if (plan.test(text)) this.pushWord(text, 'health_plan', rs, plan.lastIndex);
  }

  /** {@link planAt} at every digit run starting in [from, to), where `from` follows a non-digit. */
  private planIn(plan: RegExp, text: string, from: number, to: number): void {
    for (let p = from; p < to; p++) {
      if (!isDigitCode(text.charCodeAt(p))) continue;
      const q = digitRunEnd(text, p + 1);
      this.planAt(plan, text, p, q);
      p = q;
    }
  }

  /**
   * A record number told by the layout around the token [s, e) (first digit run [rs, re)), not by a label: alone
   * in a table cell ("Bogan, Garnet | 3278975 | 1/15/1961", cells split by tabs or semicolons as spreadsheets
   * export them, the number in blank-separated groups: "| 551 2093 |"), or right after a number sign
   * ("Ross, Ada #4471203", "Rx #20931177": six or more digits after "#" are a record's number, not a count),
   * alone in parentheses after a name or a label, as banners and letters write them ("OKAFOR, CHIDI (442771)",
   * "MRN (442771)"), or fused to a record label ("MRN442771", "URN0042771", as exports write them).
   * Returns the end of what was found, or 0. Kept out of {@link token}, which runs for every digit token.
   */
  private recordInLayout(text: string, s: number, e: number, rs: number, re: number, before: number): number {
    // The number sign right before the digits, or a blank before them ("Ross, Ada # 4471203").
    const sign =
      before === 35 ? s - 1 : before === 32 && rs === s && text.charCodeAt(s - 2) === 35 ? s - 2 : -1;
    if (sign >= 0 && re - rs >= 6 && isIdAfterNumberSign(text, sign + 1)) {
      this.push('mrn', sign, e, 0);
      return e;
    }
    if (before === 35) return 0;
    if (before === 40) {
      // Six or more digits alone in parentheses are someone's number (a date if they spell one), not a count (a
      // year has four). Pushed without returning, so a phone number read from the same digits keeps its kind.
      if (rs === s && re === e && e - s >= 6 && e - s <= 12 && text.charCodeAt(e) === 41)
        this.push(compactDate(text.slice(s, e)) ? 'date' : 'mrn', s, e, 0);
      return 0;
    }
    if (
      rs > s &&
      rs - s <= 5 &&
      (re === e ? re - rs >= 5 : text.charCodeAt(re) === 45 && e - rs >= 6) &&
      FUSED_RECORD_LABEL.test(text.slice(s, rs)) &&
      (re === e || (FUSED_GROUPS.test(text.slice(rs, e)) && countDigits(text, rs, e) >= 5))
    ) {
      this.push('mrn', s, e, 0);
      return e;
    }
    // "Wrona, Tadeusz - 5512093", "Ada Ross – 4471203": six to twelve digits after a dash after a name, as
    // clinic lists and handover sheets write them. Pushed without returning: a phone number keeps its kind.
    if (rs === s && re === e && re - rs >= 6 && re - rs <= 12 && isBlankCode(before)) {
      const d = text.charCodeAt(s - 2);
      if (d === 45 || d === 8211 || d === 8212) {
        const m = NAME_BEFORE_DASH.exec(text.slice(Math.max(0, s - 60), s - 2));
        if (m !== null && isNameValue(m[1]!)) this.push('mrn', s, e, 0);
      }
    }
    // Most tokens follow a word: only one after a cell's delimiter or at a line's start can be alone in a cell.
    let a = s - 1;
    while (a >= 0 && text.charCodeAt(a) === 32) a--;
    const left = a < 0 ? 10 : text.charCodeAt(a);
    if (left !== 124 && left !== 9 && left !== 59 && left !== 10 && left !== 13) {
      // "1. 4471203 Ross, Ada", "- 5512093 Kim, Lee": an id opening a list item, the patient's name after it.
      if (
        rs === s &&
        re === e &&
        re - rs >= 6 &&
        isBlankCode(text.charCodeAt(e)) &&
        (isUpperCode(text.charCodeAt(e + 1)) || text.charCodeAt(e + 1) >= 192) &&
        LIST_ID_BACK.test(text.slice(Math.max(0, s - 12), e + 1))
      )
        this.push('mrn', s, e, 0);
      return 0;
    }
    const ce = tableCellEnd(text, s, e);
    if (
      ce > 0 &&
      ce - s >= 5 &&
      ce - s <= 20 &&
      countDigits(text, s, ce) >= 5 &&
      !(rs === s && numericDateEnd(text, s, re) >= ce)
    ) {
      this.push('mrn', s, ce, 0);
      return ce;
    }
    return 0;
  }

  /**
   * After a labelled identifier ending at `end`, the further values of the same shape listed after it ("MRNs
   * 4471203, 5512093 and 6620114", "member ID W123456789 / W987654321"); returns the end of the last one.
   */
  private listedAfter(kind: number, value: RegExp, text: string, end: number): number {
    let last = end;
    for (let k = 0; k < 8; k++) {
      LIST_JOINER.lastIndex = last;
      if (!LIST_JOINER.test(text)) break;
      const vs = LIST_JOINER.lastIndex;
      if (!isAlnumCode(text.charCodeAt(vs))) break;
      value.lastIndex = vs;
      if (!value.test(text) || countDigits(text, vs, value.lastIndex) < 5) break;
      if (!labelledValueValid(kind, text, vs, value.lastIndex)) break;
      this.push(LABEL_KIND_NAMES[kind]!, vs, value.lastIndex, LABELLED);
      last = value.lastIndex;
    }
    return last;
  }

  /** Pushes a pattern match [a, b) widened to the whole word it is part of: no fragment of an id is left. */
  private pushWord(text: string, kind: string, a: number, b: number): void {
    let s = a;
    let e = b;
    while (s > 0 && isAlnumCode(text.charCodeAt(s - 1))) s--;
    while (e < text.length && isAlnumCode(text.charCodeAt(e))) e++;
    this.push(kind, s, e, 0);
  }

  /** Detectors for one token [s, e) whose first digit run is [rs, re); returns the end of what was found. */
  private token(text: string, s: number, e: number, rs: number, re: number): number {
    const on = this.on;
    const n = e - s;
    const before = s > 0 ? text.charCodeAt(s - 1) : 32;
    const after = e < text.length ? text.charCodeAt(e) : 32;
    if (s > 0) {
      const vs = before === 40 || before === 43 ? s - 1 : s;
      let kind = this.labels.kindBefore(text, vs);
      if (kind < 0) kind = scriptLabelBefore(text, vs);
      if (kind >= 0 && on[LABEL_KIND_NAMES[kind]!]) {
        const value = this.labelValues[kind]!;
        value.lastIndex = vs;
        if (value.test(text)) {
          const end = value.lastIndex;
          if (labelledValueValid(kind, text, vs, end)) {
            this.push(LABEL_KIND_NAMES[kind]!, kind === L_POBOX ? lastLabelStart() : vs, end, LABELLED);
            // "Zip code 49503, Grand Rapids, MI": the city after a labelled ZIP is an address part.
            if (kind === L_ZIP && on['address']) {
              CITY_AFTER.lastIndex = end;
              const m = CITY_AFTER.exec(text);
              if (m) this.push('address', CITY_AFTER.lastIndex - m[1]!.length, CITY_AFTER.lastIndex, 0);
            }
            if (kind === L_MRN || kind === L_PLAN || kind === L_ACCOUNT)
              return this.listedAfter(kind, value, text, end);
            // "Tel +91 98765 43210 / 98765 43211": further numbers after a phone label, read as after a word
            // of running text (not a date, a range, an IP address).
            return kind === L_PHONE ? this.listedAfter(L_PHONE_WORD, value, text, end) : end;
          }
        }
      }
    }
    if (on['mrn'] && n <= 16 && re - rs >= 2) {
      const end = this.recordInLayout(text, s, e, rs, re, before);
      if (end > 0) return end;
    }
    if (n === 17 && on['vin'] && (isValidVin(text, s) || vinShaped(text, s))) {
      this.push('vin', s, e, 0);
      return e;
    }
    if (n === 36 && on['device'] && UUID.test(text.slice(s, e))) {
      this.push('device', s, e, 0);
      return e;
    }
    if (n >= 15 && n <= 34 && on['account'] && rs === s + 2 && isIban(text.slice(s, e))) {
      this.push('account', s, e, 0);
      return e;
    }
    if (after === 58 || before === 58) {
      const end = this.colonGroups(text, s, e);
      if (end > 0) return end;
    }
    if (on['device'] && n === 17 && MAC_DASH.test(text.slice(s, e))) {
      this.push('device', s, e, 0);
      return e;
    }
    if (rs !== s || before === 46 || before === 47) return e;
    // From here the token starts with a digit.
    const runLen = re - rs;
    const sep = text.charCodeAt(re);
    const dashed = sep === 45 && re < e;
    // A numeric date has a separator and a digit right after the first run: 3/14, 1952-03, 14.03.
    if (
      on['date'] &&
      runLen <= 4 &&
      (sep === 45 || sep === 47 || sep === 46) &&
      isDigitCode(text.charCodeAt(re + 1))
    ) {
      const end = numericDateEnd(text, s, re);
      if (end >= 0) {
        const withTime = timeOfDayEnd(text, end);
        this.push('date', s, withTime, 0);
        return withTime;
      }
      // A month and day with a time of day: "6/5 13:28", "7/7 @ 1853".
      if (sep === 47 && runLen <= 2) {
        MONTH_DAY_TIME.lastIndex = s;
        const md = MONTH_DAY_TIME.exec(text);
        if (md && isValidDate(2000, Number(md[1]), Number(md[2]))) {
          this.push('date', s, MONTH_DAY_TIME.lastIndex, 0);
          return MONTH_DAY_TIME.lastIndex;
        }
      }
    }
    // A month name in lower case before the day or year ("january 15, 2013", "born feb 6 1998"): the
    // month-name pass takes capitalised ones only, so these are found from their digits.
    if (
      on['date'] &&
      isBlankCode(before) &&
      runLen <= 4 &&
      isLowerAsciiOrDot(text.charCodeAt(s - 2)) &&
      (runLen === 4 || yearFollows(text, re))
    ) {
      const end = this.lowerMonthDate(text, s);
      if (end > 0) return end;
    }
    if (after === 46 && on['ip'] && runLen <= 3) {
      IPV4.lastIndex = s;
      if (IPV4.test(text) && isIpv4(text.slice(s, IPV4.lastIndex))) {
        this.push('ip', s, IPV4.lastIndex, 0);
        return IPV4.lastIndex;
      }
    }
    if (
      on['ssn'] &&
      n === 3 &&
      runLen === 3 &&
      (after === 32 || after === 9 || after === 46) &&
      // Two digits after the separator, or SPLIT_SSN cannot match ("139 mmol/L").
      isDigitCode(text.charCodeAt(s + 4)) &&
      isDigitCode(text.charCodeAt(s + 5))
    ) {
      SPLIT_SSN.lastIndex = s;
      if (
        SPLIT_SSN.test(text) &&
        isValidSsnParts(
          Number(text.slice(s, s + 3)),
          Number(text.slice(s + 4, s + 6)),
          Number(text.slice(s + 7, s + 11)),
        )
      ) {
        this.push('ssn', s, s + 11, 0);
        return s + 11;
      }
    }
    if (
      on['ssn'] &&
      n === 11 &&
      runLen === 3 &&
      SSN_SHAPE.test(text.slice(s, e)) &&
      !(after === 46 && isDigitCode(text.charCodeAt(e + 1)))
    ) {
      if (
        isValidSsnParts(
          Number(text.slice(s, s + 3)),
          Number(text.slice(s + 4, s + 6)),
          Number(text.slice(s + 7, e)),
        )
      ) {
        this.push('ssn', s, e, 0);
        return e;
      }
    }
    if (on['phone'] && before === 43 && !(runLen === 1 && text.charCodeAt(rs) === 49)) {
      // International: +44 20 7946 0958 (8 to 15 digits after the country code's plus).
      INTL_PHONE.lastIndex = s - 1;
      if (INTL_PHONE.test(text)) {
        const digits = countDigits(text, s, INTL_PHONE.lastIndex);
        if (digits >= 8 && digits <= 15) {
          this.push('phone', s - 1, INTL_PHONE.lastIndex, 0);
          return INTL_PHONE.lastIndex;
        }
      }
    }
    if (on['phone'] && text.charCodeAt(rs) === 48 && runLen >= 2) {
      // A national number with its trunk prefix 0 ("0726 076 213", "073-744-7818", "020 7946 0958"), or an
      // international one after 00: no NANP number starts with 0.
      const end = trunkPhoneEnd(text, s);
      if (end > 0) {
        this.push('phone', s, end, 0);
        return end;
      }
    }
    if (on['phone'] && runLen === 2 && (sep === 32 || sep === 46 || sep === 45)) {
      // Digits in pairs ("06 12 34 56 78", "22.33.44.55"): four or more pairs are a telephone number.
      PAIRED_PHONE.lastIndex = s;
      if (PAIRED_PHONE.test(text)) {
        this.push('phone', s, PAIRED_PHONE.lastIndex, 0);
        return PAIRED_PHONE.lastIndex;
      }
    }
    if (
      on['phone'] &&
      (runLen === 3 || (runLen === 1 && text.charCodeAt(rs) === 49)) &&
      // Three digits that start PHONE's match (no parenthesis or plus before) are its area code: a separator and
      // a digit follow, or it cannot match ("500 mg"), and the expression is not called.
      (runLen !== 3 ||
        before === 40 ||
        before === 43 ||
        ((sep === 32 || sep === 46 || sep === 45) && isDigitCode(text.charCodeAt(re + 1))))
    ) {
      const ps = before === 40 || before === 43 ? s - 1 : s;
      PHONE.lastIndex = ps;
      const m = PHONE.exec(text);
      // A dialable NANP number; or one whose area code is in parentheses, or with an extension, which no
      // other number is written with.
      if (
        m &&
        (isNanpNumber((m[1] ?? m[2] ?? '') + m[3]! + m[4]!) ||
          ((m[1] !== undefined || /[xn]/i.test(m[0].slice(-8))) && m[0].replace(/\D/g, '').length >= 10))
      ) {
        this.push('phone', ps, PHONE.lastIndex, 0);
        return PHONE.lastIndex;
      }
    }
    if (on['phone'] && before === 40 && runLen >= 2 && runLen <= 5) {
      // "(982)728-61-00", "(0667) 628745165": an area code in parentheses and 7 to 12 digits in all.
      PAREN_PHONE.lastIndex = s - 1;
      if (PAREN_PHONE.test(text)) {
        const digits = countDigits(text, s, PAREN_PHONE.lastIndex);
        if (digits >= 7 && digits <= 12) {
          this.push('phone', s - 1, PAREN_PHONE.lastIndex, 0);
          return PAREN_PHONE.lastIndex;
        }
      }
    }
    const first = text.charCodeAt(s);
    if (on['account'] && first >= 51 && first <= 54 && (runLen >= 13 || runLen === 4)) {
      CARD.lastIndex = s;
      if (CARD.test(text) && luhnValid(text.slice(s, CARD.lastIndex).replace(/\D/g, ''))) {
        this.push('account', s, CARD.lastIndex, 0);
        return CARD.lastIndex;
      }
    }
    if (on['age'] && (runLen === 2 || runLen === 3)) {
      let age = 0;
      for (let i = rs; i < re; i++) age = age * 10 + text.charCodeAt(i) - 48;
      if (age > 89 && age < 130) {
        AGE_AFTER.lastIndex = re;
        if (AGE_AFTER.test(text)) this.push('age', rs, re, 0);
      }
    }
    if (on['address'] && runLen <= 6 && isBlankCode(after) && before !== 44) {
      let end = -1;
      if (streetWordAfter(text, e)) {
        ADDRESS.lastIndex = s;
        if (ADDRESS.test(text)) end = ADDRESS.lastIndex;
      }
      if (end < 0) end = lowerCaseAddressEnd(text, s);
      if (end > 0) {
        end = addressTailEnd(text, end);
        CITY_AFTER.lastIndex = end;
        if (CITY_AFTER.test(text)) end = CITY_AFTER.lastIndex;
        this.push('address', addressHeadStart(text, s), end, 0);
        return end;
      }
    }
    // "梁街13号", "尚路23号", "信義路五段7號": a house number between a street name and 号 (number); Japanese
    // blocks and lots after the district ("西新宿2丁目8番1号", "北1条西2丁目", "山下町27番地", "梅田3-1-1").
    if (on['address'] && s > 0 && text.charCodeAt(s - 1) >= 0x3000 && isCaselessLetter(text.charAt(s - 1))) {
      const end = stickyEnd(CJK_HOUSE, text, s);
      if (end > 0) {
        let a = s - 1;
        while (a > 0 && s - a < 16 && isCaselessLetter(text.charAt(a - 1))) a--;
        this.push('address', a, end, 0);
        return end;
      }
    }
    // "2-chōme 5-3", "H.No. 12-5-34, Vijaynagar Colony", "Plot 42, Sector 15": Japanese blocks written in Latin
    // letters, and Indian house, door and plot numbers, with the locality after them.
    if (on['address'] && runLen <= 4 && mayBeBlock(text, s, re)) {
      const end = this.blockAddress(text, s, re);
      if (end > 0) return end;
    }
    // "Szilágyi út 55", "Dornierstr. 3", "ul. Polna 9/5": the house number after the street.
    if (on['address'] && runLen <= 5 && isBlankCode(before) && s > 1) {
      const span = numberLastAddress(text, s, re);
      if (span !== undefined) {
        this.push('address', addressHeadStart(text, span[0]), span[1], 0);
        return Math.max(span[1], e);
      }
    }
    if (on['zip'] && (((n === 5 || (n === 10 && dashed)) && runLen === 5) || (n === 9 && runLen === 9)))
      this.zipAfterState(text, s, e);
    return e;
  }

  /**
   * A Japanese block in Latin letters at the digit run [s, re) ("2-chōme 5-3", "3-chome-12-4"), or an Indian
   * house, door or plot number after its word ("H.No. 12-5-34", "D/No 5-87", "Plot 42", "Sector 15"), with the
   * localities after it ("…, Vijaynagar Colony, Hyderabad"). Returns the end of the address, or 0.
   */
  private blockAddress(text: string, s: number, re: number): number {
    let start = s;
    const c = text.charCodeAt(re);
    let end = (c === 45 || c === 32) && (text.charCodeAt(re + 1) | 32) === 99 ? stickyEnd(CHOME, text, s) : 0;
    if (end === 0) {
      const p = blanksBefore(text, s);
      const m = HOUSE_NO_BEFORE.exec(text.slice(Math.max(0, p - 12), p));
      if (m === null) return 0;
      start = p - m[0].length;
      end = stickyEnd(HOUSE_NO_VALUE, text, s);
      if (end === 0) return 0;
    }
    end = stickyEnd(LOCALITIES, text, end) || end;
    this.push('address', addressHeadStart(text, start), end, 0);
    return end;
  }

  /** IPv6 addresses and colon-separated MAC addresses around a token; returns the end of what was found, or 0. */
  private colonGroups(text: string, s: number, e: number): number {
    let a = s;
    while (a > 0 && isHexOrColon(text.charCodeAt(a - 1))) a--;
    let b = e;
    while (b < text.length && (isHexOrColon(text.charCodeAt(b)) || text.charCodeAt(b) === 46)) b++;
    while (b > e && (text.charCodeAt(b - 1) === 46 || text.charCodeAt(b - 1) === 58)) b--;
    if (a > 0 && isIdCode(text.charCodeAt(a - 1))) return 0;
    const candidate = text.slice(a, b);
    if (this.on['ip'] && isIpv6(candidate)) {
      this.push('ip', a, b, 0);
      return b;
    }
    if (this.on['device'] && MAC_COLON.test(candidate)) {
      this.push('device', a, b, 0);
      return b;
    }
    return 0;
  }

  /** A ZIP right after a state ("MI 49503", "Texas 78701"); the city before the state is an address part. */
  private zipAfterState(text: string, s: number, e: number): void {
    let p = blanksBefore(text, s);
    if (p === s || p === 0) return;
    if (text.charCodeAt(p - 1) === 44) p--;
    if (text.charCodeAt(p - 1) === 46) p--;
    if (STATES.kindBefore(text, p) < 0) return;
    const st = lastLabelStart();
    // Two-letter codes count only in upper case ("in 46202" is not Indiana).
    if (p - st <= 3 && !(isUpperCode(text.charCodeAt(st)) && isUpperCode(text.charCodeAt(st + 1)))) return;
    this.push('zip', s, e, 0);
    // "Grand Rapids, MI": up to three capitalised words before the state.
    const q = blanksBefore(text, st);
    if (text.charCodeAt(q - 1) !== 44) return;
    const cityEnd = q - 1;
    let cityStart = -1;
    let k = cityEnd;
    for (let words = 0; words < 3; words++) {
      let w = k;
      while (w > 0 && /[A-Za-z.'’]/.test(text.charAt(w - 1))) w--;
      if (w === k || !isUpperCode(text.charCodeAt(w))) break;
      cityStart = w;
      k = w;
      if (k === 0 || (text.charCodeAt(k - 1) !== 32 && text.charCodeAt(k - 1) !== 9)) break;
      k--;
    }
    if (cityStart >= 0) this.push('address', cityStart, cityEnd, 0);
  }

  /**
   * Dates with a month name: "March 14, 1952", "Mar 14 1952", "14 March 1952", "14-Mar-1952", "March 1952".
   * With `withHint`, returns whether a {@link BIOMETRIC_HINT} word was seen (otherwise false).
   */
  private monthDates(text: string, withHint: boolean): boolean {
    let hint = false;
    const re = withHint ? MONTH_WORD_OR_HINT : MONTH_WORD;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[1] === undefined) {
        hint = true;
        continue;
      }
      // Not inside a word ("Smarch"); checked here, as a look-behind would be tried at every position.
      if (m.index > 0 && isAsciiLetterCode(text.charCodeAt(m.index - 1))) {
        re.lastIndex = m.index + 1;
        continue;
      }
      const month = MONTH_NUMBER.get(m[1]!) ?? 0;
      let start = m.index;
      let end = m.index + m[0].length;
      let day: number | undefined;
      let year: number | undefined;
      AFTER_MONTH.lastIndex = end;
      const after = AFTER_MONTH.exec(text);
      if (after && after[0].length > 0) {
        if (after[1] !== undefined) day = Number(after[1]);
        if (after[2] !== undefined) year = Number(after[2]);
        end = AFTER_MONTH.lastIndex;
      } else {
        end = m.index + m[1]!.length;
      }
      if (day === undefined) {
        // "14 March 1952", "14th of March", "14-Mar-1952"
        const before = /(?<![\w/.-])(\d{1,2})(?:st|nd|rd|th)?(?:[ \t]+of)?(?:[ \t]+|-)$/.exec(
          text.slice(Math.max(0, start - 12), start),
        );
        if (before) {
          day = Number(before[1]);
          start -= before[0].length;
          if (year === undefined && text.charCodeAt(m.index + m[0].length) === 45) {
            const yy = /^-(\d{2})(?![\w.-])/.exec(
              text.slice(m.index + m[0].length, m.index + m[0].length + 4),
            );
            if (yy) end = m.index + m[0].length + yy[0].length;
          }
        }
      }
      if (day === undefined && year === undefined) continue;
      if (isValidDate(year ?? 2000, month, day ?? 1)) this.push('date', start, end, 0);
    }
    return hint;
  }

  private emails(text: string): void {
    const len = text.length;
    let at = text.indexOf('@');
    while (at >= 0) {
      let s = at;
      while (s > 0 && isLocalCode(text.charCodeAt(s - 1))) s--;
      while (s < at && text.charCodeAt(s) === 46) s++;
      let e = at + 1;
      while (e < len && isDomainCode(text.charCodeAt(e))) e++;
      while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--;
      const dot = text.lastIndexOf('.', e - 1);
      if (s < at && dot > at + 1 && e - dot > 2 && /^[A-Za-z]+$/.test(text.slice(dot + 1, e)))
        this.push('email', s, e, 0);
      else if (s === at && this.on['url'] && (at === 0 || !isLocalCode(text.charCodeAt(at - 1)))) {
        // A social handle: "@jdoe", "IG @maria.l_92" (letters, digits, dots, underscores).
        let h = at + 1;
        while (h < len && isHandleCode(text.charCodeAt(h))) h++;
        while (h > at + 1 && text.charCodeAt(h - 1) === 46) h--;
        if (h - at > 2 && /[A-Za-z]/.test(text.slice(at + 1, h))) this.push('url', at, h, 0);
      }
      at = text.indexOf('@', Math.max(e, at + 1));
    }
  }

  /**
   * Where {@link RARE_ANCHORS} finds them: web addresses without a scheme (at a period before letters), ages
   * over 89 in words (before a unit of years), and obfuscated emails (after "[at]", "(at)" or "dot ").
   */
  private rareAnchors(text: string): void {
    const on = this.on;
    let obfuscated = false;
    const re = RARE_ANCHORS;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[1] !== undefined) {
        if (on['url'] || on['email']) {
          const end = this.bareUrlAt(text, m.index, m.index + m[1].length);
          if (end > re.lastIndex) re.lastIndex = end;
        }
      } else if (m[2] !== undefined) {
        if (on['age']) this.writtenAgeAt(text, m.index);
      } else obfuscated = true;
    }
    if (obfuscated && on['email']) this.obfuscatedEmails(text);
  }

  /**
   * An age over 89 written in words ("a ninety-two-year-old", "one hundred and one yo") before the unit of
   * years at `at`.
   */
  private writtenAgeAt(text: string, at: number): void {
    // A letter, then blanks or a dash, before the unit (a digit there is the digit pass's).
    let p = at;
    while (p > 0 && (text.charCodeAt(p - 1) === 32 || text.charCodeAt(p - 1) === 45)) p--;
    if (p === at || p === 0 || !isAsciiLetterCode(text.charCodeAt(p - 1))) return;
    const before = WRITTEN_AGE_BEFORE.exec(text.slice(Math.max(0, at - 40), at));
    if (before) this.push('age', at - before[0].length, at - before[1]!.length, 0);
  }

  /** Emails written to dodge scrapers: "jane dot doe at gmail dot com", "jdoe[at]yahoo[dot]com", "x (at) y.org". */
  private obfuscatedEmails(text: string): void {
    for (const sep of AT_WORDS) {
      for (let at = text.indexOf(sep); at > 0; at = text.indexOf(sep, at + sep.length)) {
        if (!mayBeObfuscatedDomain(text, at + sep.length)) continue;
        OBFUSCATED_DOMAIN.lastIndex = at + sep.length;
        const m = OBFUSCATED_DOMAIN.exec(text);
        if (!m) continue;
        // The top-level domain is letters, and a plain " at " needs a "dot" or a real domain after it.
        const tld = /[A-Za-z]{2,10}$/.exec(m[0]);
        if (!tld || tld.index !== m[0].length - tld[0].length) continue;
        // The local part: the word before (and "x dot y" pairs before that).
        let localEnd = at;
        while (localEnd > 0 && text.charCodeAt(localEnd - 1) === 32) localEnd--;
        let s = localEnd;
        while (s > 0 && isLocalCode(text.charCodeAt(s - 1))) s--;
        if (s === localEnd) continue;
        const head = LOCAL_DOTS.exec(text.slice(Math.max(0, s - 60), s));
        if (head) s -= head[0].length;
        this.push('email', s, OBFUSCATED_DOMAIN.lastIndex, 0);
      }
    }
  }

  /**
   * A web address without a scheme whose top-level domain may start at the period `dot` (letters up to `t`):
   * "instagram.com/jdoe", "linkedin.com/in/jane-doe", "example.org", "www.example.com/x"; or an email with its
   * @ spelled out ("jane.doe at example.com"). Returns the end of what was found, or 0.
   */
  private bareUrlAt(text: string, dot: number, t: number): number {
    if (dot === 0 || !isDomainCode(text.charCodeAt(dot - 1))) return 0;
    if (wwwAt(text, dot - 3)) {
      // "www.example.com/path": the whole address as the URL expression reads it.
      URL.lastIndex = dot - 3;
      const u = URL.exec(text);
      if (u !== null && u.index === dot - 3) {
        let end = u.index + u[0].length;
        while (end > u.index && /[.,;:!?)'"\]}]/.test(text.charAt(end - 1))) {
          if (text.charAt(end - 1) === ')' && text.slice(u.index, end).includes('(')) break;
          end--;
        }
        if (end - u.index > 7 && this.on['url']) this.push('url', u.index, end, 0);
        return Math.max(end, t);
      }
    }
    if (!TOP_LEVEL_DOMAINS.has(text.slice(dot + 1, t).toLowerCase())) return 0;
    let s = dot;
    while (s > 0 && isDomainCode(text.charCodeAt(s - 1))) s--;
    while (s < dot && (text.charCodeAt(s) === 46 || text.charCodeAt(s) === 45)) s++;
    // Not inside an email (found by its own detector), and the label before the top-level domain holds a letter.
    if (s === dot || (s > 0 && text.charCodeAt(s - 1) === 64)) return 0;
    if (!/[A-Za-z]/.test(text.slice(s, dot))) return 0;
    let e = t;
    // "jane.doe at example.com": an email with its @ spelled out.
    if (this.on['email'] && text.charCodeAt(e) !== 47 && text.startsWith(' at ', s - 4)) {
      let ls = s - 4;
      while (ls > 0 && isLocalCode(text.charCodeAt(ls - 1))) ls--;
      if (ls < s - 4) {
        this.push('email', ls, e, 0);
        return e;
      }
    }
    if (!this.on['url']) return 0;
    if (text.charCodeAt(e) === 47) {
      while (e < text.length && isPathCode(text.charCodeAt(e))) e++;
      while (e > t && /[.,;:!?)'"\]}]/.test(text.charAt(e - 1))) e--;
    }
    this.push('url', s, e, 0);
    return e;
  }

  /**
   * A date whose month is written in lower case before the digit token at `s` ("january 15, 2013",
   * "mar 2 1993"): a year is required, so "may 5" (the verb) is not taken. Returns the end, or 0.
   */
  private lowerMonthDate(text: string, s: number): number {
    const we = blanksBefore(text, s);
    let me = we;
    if (text.charCodeAt(me - 1) === 46) me--;
    let ws = me;
    while (ws > 0 && me - ws <= 9 && text.charCodeAt(ws - 1) >= 97 && text.charCodeAt(ws - 1) <= 122) ws--;
    if (me - ws < 3 || me - ws > 9 || (ws > 0 && isAsciiLetterCode(text.charCodeAt(ws - 1)))) return 0;
    // Most words are rejected by their first letter and length before a string is made of them.
    if (MONTH_SHAPES[(me - ws) * 32 + (text.charCodeAt(ws) & 31)] !== 1) return 0;
    const month = MONTH_NUMBER.get(text.slice(ws, me));
    if (month === undefined) return 0;
    AFTER_MONTH.lastIndex = we;
    const after = AFTER_MONTH.exec(text);
    if (!after || after[2] === undefined) return 0;
    const day = after[1] === undefined ? 1 : Number(after[1]);
    if (!isValidDate(Number(after[2]), month, day)) return 0;
    this.push('date', ws, AFTER_MONTH.lastIndex, 0);
    return AFTER_MONTH.lastIndex;
  }

  private urls(text: string): void {
    const from = urlScanStart(text);
    if (from < 0) return;
    URL.lastIndex = from;
    for (let m = URL.exec(text); m !== null; m = URL.exec(text)) {
      let end = m.index + m[0].length;
      while (end > m.index && /[.,;:!?)'"\]}]/.test(text.charAt(end - 1))) {
        // Keep a closing parenthesis that closes one inside the URL, as in Wikipedia links.
        if (text.charAt(end - 1) === ')' && text.slice(m.index, end).includes('(')) break;
        end--;
      }
      if (end - m.index > 7) this.push('url', m.index, end, 0);
    }
  }

  private images(text: string): void {
    if (text.includes(';base64,')) this.regexAll(DATA_IMAGE, text, 'image', undefined, FLAG);
    else if (text.length >= 64 && IMAGE_MAGIC.test(text)) this.push('image', 0, text.length, FLAG);
  }
}

/**
 * Cheap test before {@link OBFUSCATED_DOMAIN} at `pos`: a word of letters, digits and dashes, then a period
 * and a letter, or a "dot" spelled out. Most " at " in notes ("seen at home") fail on the first word.
 */
function mayBeObfuscatedDomain(text: string, pos: number): boolean {
  let i = pos;
  while (text.charCodeAt(i) === 32) i++;
  const start = i;
  while (isIdCode(text.charCodeAt(i))) i++;
  if (i === start) return false;
  const c = text.charCodeAt(i);
  if (c === 46) return isAsciiLetterCode(text.charCodeAt(i + 1)) || isDigitCode(text.charCodeAt(i + 1));
  if (c === 91 || c === 40 || c === 123) return text.startsWith('dot', i + 1);
  return (
    c === 32 &&
    (text.startsWith('dot ', i + 1) ||
      text.startsWith('DOT ', i + 1) ||
      text.startsWith('(dot)', i + 1) ||
      text.startsWith('[dot]', i + 1))
  );
}

/** A four-digit year shortly after a day ending at `pos`: "15, 2013", "4th 2025", "2 1998". */
function yearFollows(text: string, pos: number): boolean {
  let i = pos;
  const limit = Math.min(text.length, pos + 5);
  while (i < limit && !isDigitCode(text.charCodeAt(i))) i++;
  return i < limit && digitRunEnd(text, i) - i === 4;
}

/** Where a time of day written after a date ending at `end` ends (`end` itself when there is none). */
function timeOfDayEnd(text: string, end: number): number {
  const c = text.charCodeAt(end);
  if (!isBlankCode(c)) return end;
  TIME_AFTER.lastIndex = end;
  return TIME_AFTER.test(text) ? TIME_AFTER.lastIndex : end;
}

/**
 * A 17-character vehicle identification number without a valid check digit (most VINs outside North America,
 * and mistyped ones): the VIN alphabet (no I, O, Q) in any case, letters among the first eleven characters, and
 * a numeric serial in the last four.
 */
function vinShaped(text: string, s: number): boolean {
  let letters = 0;
  for (let i = 0; i < 17; i++) {
    const c = text.charCodeAt(s + i) & ~32;
    if (isDigitCode(text.charCodeAt(s + i))) continue;
    if (c < 65 || c > 90 || c === 73 || c === 79 || c === 81 || i >= 13) return false;
    letters++;
  }
  return letters >= 2;
}

/** True for an IBAN: country letters, two check digits, up to 30 letters and digits, and a valid mod-97 check. */
function isIban(value: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(value)) return false;
  const moved = value.slice(4) + value.slice(0, 4);
  let r = 0;
  for (let i = 0; i < moved.length; i++) {
    const c = moved.charCodeAt(i);
    const v = c >= 65 ? c - 55 : c - 48;
    r = (v >= 10 ? r * 100 + v : r * 10 + v) % 97;
  }
  return r === 1;
}

const isLowerAsciiOrDot = (c: number): boolean => (c >= 97 && c <= 122) || c === 46;
const isHandleCode = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46;
const isPathCode = (c: number): boolean => c > 32 && c < 127 && c !== 34 && c !== 60 && c !== 62 && c !== 96;

/**
 * After the blanks at `pos`, a capital or a digit: the only way a street (a direction, a capitalised word or an
 * ordinal such as 21st) can follow a house number. Saves running {@link ADDRESS} after "7 mg" and the like.
 */
function streetWordAfter(text: string, pos: number): boolean {
  let i = pos;
  while (i < text.length && isBlankCode(text.charCodeAt(i))) i++;
  const c = text.charCodeAt(i);
  return (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/**
 * Where a street address in any case starting at the house number `s` ends, or -1: a USPS suffix after one to
 * four words ("576 waelchi forks"), taken for suffixes that name only streets or after an address cue ("Lives
 * at"); or, after such a cue, the words up to a comma or a word such as "with" ("Lives at 12 rue de la Paix").
 */
function lowerCaseAddressEnd(text: string, s: number): number {
  const c = text.charCodeAt(digitRunEnd(text, s) + 1);
  if (!((c >= 97 && c <= 122) || c >= 128 || isUpperCode(c))) return -1;
  const cue = addressCueBefore(text, s);
  const re = cue ? ADDRESS_ANY_CASE : PLAIN_ADDRESS;
  re.lastIndex = s;
  if (re.test(text)) {
    // "2 hour drive", "10 minute walk": a quantity, not a house number.
    return QUANTITY_WORD.test(text.slice(s, s + 24)) ? -1 : re.lastIndex;
  }
  if (!cue) return -1;
  // After a cue: the words up to a comma, a sentence end or a word that ends the street part.
  let end = -1;
  let i = digitRunEnd(text, s);
  for (let words = 0; words < 6; words++) {
    while (isBlankCode(text.charCodeAt(i))) i++;
    const ws = i;
    while (i < text.length && /[\p{L}\p{M}\p{N}'’./-]/u.test(text.charAt(i))) i++;
    let we = i;
    while (we > ws && text.charCodeAt(we - 1) === 46) we--;
    if (we === ws || ADDRESS_STOP.has(text.slice(ws, we).toLowerCase())) break;
    end = we;
    if (we < i || text.charCodeAt(i) !== 32) break;
  }
  return end;
}

/**
 * A street address written with the house number after the street, the number at `s` (its digits end at
 * `re`): up to four words back on the line, one of them a street type of some language, or an address cue
 * before them; a house, block or flat word between the street and the number, after a comma or not ("Intrarea
 * Valea Lupului, Bloc 34", "Rua Augusta, nº 123", "наб. Сплавная, 210"). Returns [start, end], or undefined.
 */
function numberLastAddress(text: string, s: number, re: number): [number, number] | undefined {
  // The word right before the number ends in a letter or a period ("Dornierstr. 3").
  let p = blanksBefore(text, s - 1);
  const last = text.charCodeAt(p - 1);
  if (!(last === 46 || last === 186 || last === 44 || isLetterCode(last))) return undefined;
  // Sixth round: ", 210" (a comma) or "nº 123", "Bloc 34", "д. 5" (a house word) between street and number.
  let joined = last === 44;
  if (joined) p = blanksBefore(text, p - 1);
  let start = -1;
  let typed = false;
  let cue = false;
  // A short capitalised word right before the number ("HR 88", "Plt 250", but also "V Honu 716"): an address
  // only when it is a street type itself ("Gata 205") or an address cue comes before the street.
  let short = false;
  let particle = false;
  for (let words = 0; words < 4 && p > 0; words++) {
    let ws = p;
    while (ws > 0 && isStreetWordCode(text.charCodeAt(ws - 1))) ws--;
    if (ws === p || p - ws > 30) {
      cue = start >= 0 && text.charCodeAt(p - 1) === 58;
      break;
    }
    // Most words are ASCII: read them by a hash of their lower-cased letters, without a string per word.
    let be = p;
    while (be > ws && text.charCodeAt(be - 1) === 46) be--;
    const h = asciiWordHash(text, ws, be);
    if (words === 0 && !joined && p - ws <= 7 && ws > 1 && isBlankCode(text.charCodeAt(ws - 1))) {
      const house = h >= 0 ? HOUSE_HASHES.get(h) : undefined;
      if (
        (house !== undefined && equalsLower(text, ws, be, house)) ||
        (h === -1 && HOUSE_WORDS.has(text.slice(ws, be).toLowerCase()))
      ) {
        p = ws - 1;
        if (text.charCodeAt(p - 1) === 44) p--;
        p = blanksBefore(text, p);
        joined = true;
        words = -1;
        continue;
      }
    }
    // "located in Room 4", "moved to Bed 12", "Ward 7": a place in a hospital or a building, not a street.
    if (words === 0 && !joined && h >= 0) {
      const place = HOSPITAL_PLACES.get(h);
      if (place !== undefined && equalsLower(text, ws, be, place)) return undefined;
    }
    if (
      words === 0 &&
      !joined &&
      p - ws <= 4 &&
      isUpperCode(text.charCodeAt(ws)) &&
      text.charCodeAt(p - 1) !== 46
    ) {
      // In capitals ("HR", "BP"), a vital sign or a state code ("AL 47755"), never a street.
      let k = ws + 1;
      while (k < p && !isLowerCode(text.charCodeAt(k))) k++;
      if (k === p) return undefined;
      short = true;
    }
    const wasTyped: boolean = typed;
    if (h >= 0) {
      const stop = ADDRESS_STOP_HASHES.get(h);
      if (be === ws || (stop !== undefined && equalsLower(text, ws, be, stop))) {
        cue =
          start >= 0 &&
          (stop === 'at' ||
            stop === 'to' ||
            stop === 'on' ||
            stop === 'in' ||
            stop === 'is' ||
            stop === 'address');
        break;
      }
      // "Rua das Flores 120", "Via dei Mille 3": a particle lets the street type stand further back.
      if (!particle && be - ws <= 4 && text.charCodeAt(ws) >= 97) {
        const w = STREET_PARTICLES.get(h);
        particle = w !== undefined && equalsLower(text, ws, be, w);
      }
      if (words < (joined || particle ? 4 : 2) && !typed) {
        const type = STREET_TYPE_HASHES.get(h);
        if ((type !== undefined && equalsLower(text, ws, be, type)) || hasStreetTypeEnd(text, ws, p))
          typed = true;
      }
    } else {
      const word = text.slice(ws, p);
      const bare = (text.charCodeAt(p - 1) === 46 ? word.replace(/\.+$/, '') : word).toLowerCase();
      if (ADDRESS_STOP.has(bare) || bare === 'address' || bare === '') {
        cue =
          start >= 0 &&
          (bare === 'at' ||
            bare === 'to' ||
            bare === 'on' ||
            bare === 'in' ||
            bare === 'is' ||
            bare === 'address');
        break;
      }
      // The street type is one of the two words before the number ("Szilágyi út 55", "ul. Polna 9").
      if (words < (joined ? 4 : 2) && (STREET_TYPE_WORDS.has(bare) || STREET_TYPE_END.test(word)))
        typed = true;
    }
    // A word that ends a sentence ("Lives at home. Sodium 139") ends the walk, unless it is a street type.
    if (words > 0 && be < p && typed === wasTyped && be - ws >= 3) break;
    // "AL 47755" is Alabama's ZIP, not an aleja: a type word in capitals alone is no street.
    if (short && typed && (words === 0 || particle)) short = false;
    start = ws;
    p = ws;
    if (p === 0) break;
    const gap = text.charCodeAt(p - 1);
    if (gap === 58) cue = true;
    // "Address on file:\nLipová 17": a label on the line before the street.
    if (gap === 10 && text.charCodeAt(p - 2) === 58) cue = true;
    if (!isBlankCode(gap)) break;
    p--;
  }
  if (start < 0) return undefined;
  if (short || !typed) {
    if (!(cue && addressCueBefore(text, start))) return undefined;
  }
  // The number, a letter after it and a second part: "27b", "9/5", "12-14".
  let end = re;
  if (isAsciiLetterCode(text.charCodeAt(end)) && !isAsciiLetterCode(text.charCodeAt(end + 1))) end++;
  if ((text.charCodeAt(end) === 47 || text.charCodeAt(end) === 45) && isDigitCode(text.charCodeAt(end + 1)))
    end = digitRunEnd(text, end + 1);
  if (isAlnumCode(text.charCodeAt(end))) return undefined;
  return [start, addressTailEnd(text, end)];
}

/** Lower-case words inside street names of Romance, Dutch and German: "Rua das Flores", "Calle de la Paz". */
const STREET_PARTICLES = asciiHashes('de la del los das dos da do di dei du von van der'.split(' '));

/**
 * A Japanese or Chinese block and lot from a digit run: a block, lot or number word after it (丁目, 番地, 番, 号,
 * 號, 条, 段) or three dash-joined numbers ("3-1-1"), and the blocks and lots after those.
 */
const CJK_HOUSE =
  /\d{1,6}(?:丁目|番地|番|号|號|条|段|-\d{1,4}-\d{1,4})(?:[東西南北]?\d{1,4}(?:丁目|番地|番|号|號|条|-))*(?:\d{1,4}(?:号|號)?)?/y;
/** A block in Latin letters: "2-chōme 5-3", "3-chome-12-4". */
const CHOME = /\d{1,2}[- ]ch[oō]u?me(?:[- ]\d{1,4}(?:-\d{1,4}){0,2})?(?![\w-])/iy;
/**
 * Whether {@link DetectorSet.blockAddress} can find anything at the token starting at `s` (first digit run ending
 * at `re`): a dash or blank and "ch" after the run, or "No", "No.", "Plot" or "Sector" right before.
 */
function mayBeBlock(text: string, s: number, re: number): boolean {
  const c = text.charCodeAt(re);
  if ((c === 45 || c === 32) && (text.charCodeAt(re + 1) | 32) === 99) return true;
  let p = blanksBefore(text, s);
  if (p === s && text.charCodeAt(s - 1) !== 46) return false;
  if (text.charCodeAt(p - 1) === 46) p--;
  const w = text.charCodeAt(p - 1) | 32;
  return (
    (w === 111 && (text.charCodeAt(p - 2) | 32) === 110 && !isAlnumCode(text.charCodeAt(p - 3))) ||
    (w === 116 && equalsLower(text, p - 3, p, 'lot')) ||
    (w === 114 && equalsLower(text, p - 3, p, 'tor'))
  );
}
/** Where the sticky expression `re` tried at `at` ends, or 0 when it does not match there. */
function stickyEnd(re: RegExp, text: string, at: number): number {
  re.lastIndex = at;
  return re.test(text) ? re.lastIndex : 0;
}
/** A romanised ward or district after a comma ("…, Gangnam-gu", "…, Chiyoda-ku"): {@link LOCALITIES} follow. */
const DISTRICT_NEXT = /^, ?\p{Lu}[\p{L}\p{M}]*-(?:ku|shi|gu|si|dong)\b/u;
/** An Indian house, door or plot word before a number: "H.No.", "H. No", "House No.", "D/No", "Door No", "Plot", "Sector". */
const HOUSE_NO_BEFORE = /\b(?:(?:[HD]|Door|House|Plot)[ ./]*No\.?|Plot|Sector)[ \t]*$/i;
const HOUSE_NO_VALUE = /\d{1,5}(?:[-/]\d{1,5}){0,4}[A-Za-z]?(?![\w-])/y;
/** Up to three localities after an address part: ", Vijaynagar Colony", ", Sector 15", ", Hyderabad". */
const LOCALITIES =
  /(?:,[ \t]*[\p{Lu}\d][\p{L}\p{M}\d'’.-]*(?:[ \t]+[\p{Lu}\d][\p{L}\p{M}\d'’.-]*){0,3}){1,4}/uy;

/** House, block and flat words before or after a house number ("nº 123", "Bloc 34", "lgh 1102", "кв. 12"). */
const FLAT_WORDS = 'apt|ap|flat|unit|suite|lgh|bloc|bl|kv|кв|piso';
const HOUSE_WORDS = new Set(`no|nº|nr|n|br|č|д|${FLAT_WORDS}`.split('|'));
const HOUSE_HASHES = asciiHashes(HOUSE_WORDS);
const HOSPITAL_PLACES = asciiHashes(HOSPITAL_PLACE_WORDS);
/** A blank, and the end of a word or number: shorthands for the address expressions below. */
const B = '[ \\t]';
const WORD_END = '(?![\\p{L}\\p{N}])';
/**
 * What may follow a house number: flat, block, staircase and floor parts ("lgh 1102", "m. 5", "Bl. 3, Sc. A, Ap.
 * 12", "3º B", a floor in Roman numerals "659 II"); then {@link POSTCODE_CITY}.
 */
const ADDRESS_TAIL = new RegExp(
  `,?${B}+(?:${FLAT_WORDS}|ste|sc|et|m|dpto|top)\\.?${B}*#?${B}*(?:\\d[\\p{L}\\p{N}]{0,4}|\\p{L}\\d{0,3})${WORD_END}|${B}+(?:V?I{1,3}|I?[VX])(?=${B}*(?:[;,.)\\n]|$))|,?${B}+\\d{1,2}\\.?[ºª](?:${B}*\\p{Lu}${WORD_END})?`,
  'iuy',
);
const CITY = "\\p{Lu}[\\p{L}\\p{M}'’-]*";
/**
 * A postcode and city after the street, on its line or the next ("10115 Berlin", "1234 AB Amsterdam", "00-950
 * Warszawa", "1100-053 Lisboa"), a city and a British or Canadian postcode ("London SW1A 1AA"), or a city alone
 * before the end of the sentence ("Kungsgatan 12, Uppsala.").
 */
const POSTCODE_CITY = new RegExp(
  `(?:(?:,${B}*|${B}*\\r?\\n${B}*)(?:[A-Z]{1,2}-${B}?)?(?:\\d{2}-\\d{3}|\\d{4,5}-\\d{3}|\\d{3}${B}\\d{2}|\\d{4,5})|[ \\t,]+\\d{4}${B}?[A-Z]{2})${B}+${CITY}(?:[ \\t-]+(?:${CITY}|am|an|der|de|la|le|sur|im|bei)){0,2}${WORD_END}|,${B}*${CITY}(?:${B}+${CITY}){0,2}(?:,?${B}+(?:[A-Z]{2}${B}+)?[A-Z]{1,2}\\d[A-Z\\d]?${B}?\\d[A-Z][A-Z\\d]${WORD_END}|(?=${B}*(?:[.;\\n]|$)))`,
  'uy',
);

/** "Flat 3, Ivy House, 12 High Street", "Rose Cottage, Mühlenweg 4": a flat or a house name before the street. */
const FLAT = `(?:[Ff]lat|FLAT|[Aa]pt|APT|[Uu]nit|UNIT)\\.?${B}*\\d{1,4}[A-Za-z]?`;
const ADDRESS_HEAD = new RegExp(
  `(?:(?:${FLAT},?${B}+)?(?:${CITY}${B}+){1,3}(?:Cottage|House|Farm|Lodge|Villa|Barn|Grange|Manor|Hall|Court)|${FLAT}),${B}*$`,
  'u',
);

/** Where the blanks (spaces, tabs) before `pos` start. */
function blanksBefore(text: string, pos: number): number {
  let p = pos;
  while (p > 0 && isBlankCode(text.charCodeAt(p - 1))) p--;
  return p;
}

/** Where an address found at `s` starts, with a flat or house name before it ({@link ADDRESS_HEAD}). */
function addressHeadStart(text: string, s: number): number {
  const p = blanksBefore(text, s);
  if (p === 0 || text.charCodeAt(p - 1) !== 44) return s;
  const before = text.slice(Math.max(0, s - 64), s);
  const m = ADDRESS_HEAD.exec(before);
  return m ? s - m[0].length : s;
}

/** Where an address whose street part ends at `end` ends, with its flat parts, postcode and city ({@link ADDRESS_TAIL}). */
function addressTailEnd(text: string, at: number): number {
  // "Sejong-daero 110-gil": a Korean side street's number.
  const end = text.startsWith('-gil', at) ? at + 4 : at;
  const c = text.charCodeAt(end);
  // Only a blank, comma or line break can start a tail.
  if (c !== 32 && c !== 9 && c !== 44 && c !== 10 && c !== 13) return end;
  let e = end;
  for (let k = 0; k < 4; k++) {
    ADDRESS_TAIL.lastIndex = e;
    if (!ADDRESS_TAIL.test(text)) break;
    e = ADDRESS_TAIL.lastIndex;
  }
  // "Teheran-ro 152, Gangnam-gu, Seoul": districts after the street.
  if (text.charCodeAt(e) === 44 && DISTRICT_NEXT.test(text.slice(e, e + 40)))
    return stickyEnd(LOCALITIES, text, e) || e;
  POSTCODE_CITY.lastIndex = e;
  return POSTCODE_CITY.test(text) ? POSTCODE_CITY.lastIndex : e;
}

const isBlankCode = (c: number): boolean => c === 32 || c === 9;
/** A lower-case letter: ASCII, or any letter from ß on (most of which are lower-case). */
const isLowerCode = (c: number): boolean => (c >= 97 && c <= 122) || c >= 223;

/** A character of a street word: a letter (any script above Latin-1 counts), an apostrophe, period or dash. */
const isStreetWordCode = (c: number): boolean =>
  isLetterCode(c) || c === 39 || c === 8217 || c === 46 || c === 45 || c === 186;

/**
 * True when an address cue ends right before `pos` ("Lives at", "Home address:"): checked on the last
 * character first, so most places cost one comparison.
 */
function addressCueBefore(text: string, pos: number): boolean {
  let i = blanksBefore(text, pos);
  // A label that ends its line: "Address:\n12 Elm Row".
  if (i > 1 && text.charCodeAt(i - 1) === 10 && text.charCodeAt(i - 2) === 58) i--;
  const raw = text.charCodeAt(i - 1);
  const c = raw | 32;
  // "at", "to", "on", "in", "address", "address:", "address is".
  if (c !== 116 && c !== 111 && c !== 110 && c !== 115 && raw !== 58) return false;
  const before = text.slice(Math.max(0, i - 24), i);
  return raw === 58 ? ADDRESS_LABEL.test(before) : ADDRESS_CUE.test(before);
}

const isCaselessLetter = (ch: string): boolean => /\p{Lo}/u.test(ch);
const isLetterCode = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 192 && c !== 215 && c !== 247);

/** A national number after its trunk prefix: 0, a non-zero digit, then groups; or 00 and a country code. */
const TRUNK_PHONE =
  /0(?:0[1-9]|[1-9])\d{0,4}(?:[ ./-]?\d{2,5}){1,4}(?:[ \t]*(?:x|ext\.?)[ \t]*\d{1,6})?(?![\w-]|[.,]\d)/y;
/** Four to six pairs of digits, one separator throughout. */
const PAIRED_PHONE = /\d{2}([ .-])\d{2}(?:\1\d{2}){2,4}(?![\w-]|[.,]\d)/y;

/** Where a number with a trunk prefix starting at `s` ends (9–12 digits; 11–15 after 00), or -1. */
function trunkPhoneEnd(text: string, s: number): number {
  TRUNK_PHONE.lastIndex = s;
  if (!TRUNK_PHONE.test(text)) return -1;
  const end = TRUNK_PHONE.lastIndex;
  const value = text.slice(s, end);
  // Not a date, a decimal, or a ZIP+4 (with or without its dash), which also starts with 0 in New England.
  if (numericDateEnd(text, s, digitRunEnd(text, s)) > 0 || /^\d+[.,]\d+$|^\d{5}-?\d{4}$/.test(value))
    return -1;
  const digits = value.replace(/(?:x|ext\.?).*$/i, '').replace(/\D/g, '').length;
  const intl = text.charCodeAt(s + 1) === 48;
  return (intl ? digits >= 11 && digits <= 15 : digits >= 9 && digits <= 12) ? end : -1;
}

/**
 * The end of the table cell that the token [s, e) starts, or -1: the token alone, or with further digit groups
 * after single blanks ("| 551 2093 |"; not a number in thousands, "| 250 000 |"), between pipes, tabs or
 * semicolons ("| 3278975 |", "… | 3278975" at a line end). A value that could read as a quantity (thousands in
 * blanks, one dot before three digits: "| 250 000 |", "| 250.000 |") is an id when it starts with a zero, which
 * no quantity is written with ("| 042 771 |"), or when the row names a person ({@link isPersonRow}).
 */
function tableCellEnd(text: string, s: number, e: number): number {
  let a = s - 1;
  while (a >= 0 && text.charCodeAt(a) === 32) a--;
  // The token and any further groups of digits after single blanks ("551 2093").
  let end = e;
  let dots = 0;
  for (;;) {
    const sep = text.charCodeAt(end);
    if ((sep !== 32 && sep !== 46) || !isDigitCode(text.charCodeAt(end + 1))) break;
    if (sep === 46) dots++;
    let k = end + 1;
    while (isIdCode(text.charCodeAt(k))) k++;
    end = k;
  }
  // Dotted groups only as ids are dotted (31.669.513), not a decimal (1234.56) or an IPv4 address.
  const value = text.slice(s, end);
  if ((dots === 1 && !THOUSANDS_DOTTED.test(value)) || (dots > 0 && IPV4_WHOLE.test(value))) return -1;
  let b = end;
  while (b < text.length && text.charCodeAt(b) === 32) b++;
  if (!isCellBetween(text, a, b)) return -1;
  // What reads as thousands ("250 000", "250.000") is a quantity, unless it starts with a zero (no quantity is
  // written so) or the row is a person's: then it is their id, fail closed.
  const quantity = dots === 1 || (end > e && THOUSANDS.test(value));
  return !quantity || LEADING_ZERO.test(value) || isPersonRow(text, s) ? end : -1;
}

/**
 * Whether the line holding `at` is a table row about a person: one of its cells (split by pipes, tabs or
 * semicolons) is a name written family name first with a comma, as patient lists, schedules and census exports
 * write them ("Okafor, Chidi", "ter Horst, Liesbeth", "O'Neill, Mary Ann"; any script).
 */
function isPersonRow(text: string, at: number): boolean {
  let ls = at;
  while (ls > 0 && text.charCodeAt(ls - 1) !== 10 && text.charCodeAt(ls - 1) !== 13) ls--;
  let le = at;
  while (le < text.length && text.charCodeAt(le) !== 10 && text.charCodeAt(le) !== 13) le++;
  return text
    .slice(ls, le)
    .split(/[|\t;]/)
    .some((cell) => FAMILY_FIRST_CELL.test(cell));
}

/** A cell holding one name written "Family, Given": optional lower-case particles, capitalised (or uncased) words. */
const FAMILY_FIRST_CELL =
  /^ *(?:\p{Ll}+[ '’])*[\p{Lu}\p{Lo}][\p{L}\p{M}'’-]*(?: [\p{Lu}\p{Lo}][\p{L}\p{M}'’-]*){0,2}, [\p{Lu}\p{Lo}][\p{L}\p{M}'’.-]*(?: [\p{Lu}\p{Lo}][\p{L}\p{M}'’.-]*){0,2} *$/u;

/** Whether the characters at `a` and `b` (out of range: a line's edge) delimit one cell of a table row. */
function isCellBetween(text: string, a: number, b: number): boolean {
  const left = a < 0 ? 10 : text.charCodeAt(a);
  const right = b >= text.length ? 10 : text.charCodeAt(b);
  const lineEdge = (c: number): boolean => c === 10 || c === 13;
  // A cell's delimiter: a pipe, a tab or a semicolon, the same on both sides unless the other is a line's edge.
  const cell = (c: number): boolean => c === 124 || c === 9 || c === 59;
  return (cell(left) && (right === left || lineEdge(right))) || (lineEdge(left) && cell(right));
}

/** Whether the "#" before `s` starts a word (not "MRN#", "SS#", a label read before) and is not "##". */
function isIdAfterNumberSign(text: string, s: number): boolean {
  const c = s >= 2 ? text.charCodeAt(s - 2) : 32;
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 40 || c === 44 || c === 58;
}

/** A number written in thousands with blanks ("250 000", "1 250 000"). */
const THOUSANDS = /^\d{1,3}(?: \d{3})+$/;
/** Record labels that exports fuse to the number ("MRN442771"): the letters of a token before its digits. */
const FUSED_RECORD_LABEL = /^(?:MRN|MR|URN|MPI|EMPI|UHID|CSN|FIN)[-#]?$/i;
/** Digit groups after a fused record label and a dash ("MRN-00-12-3456"). */
const FUSED_GROUPS = /^\d+(?:[-.]\d+)+$/;
/** A name before a dash: two to four capitalised words, or "Family, Given" (any script with case), none a stop word. */
const NAME_BEFORE_DASH = /(?:^|[\s(])(\p{Lu}[\p{L}\p{M}'’-]+,?(?: \p{Lu}[\p{L}\p{M}'’.-]*){1,3}) $/u;

/** A number in thousands with a dot, as much of Europe writes them ("250.000"): one dot before three digits. */
const THOUSANDS_DOTTED = /^\d{1,3}\.\d{3}$/;
/** A leading zero before another digit: an id's ("042 771"), never a quantity's ("0.125" is a decimal). */
const LEADING_ZERO = /^0\d/;
const IPV4_WHOLE = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** What joins the values of a list after one label: a comma, a slash, a semicolon, "and", "or", "&". */
const LIST_JOINER = /[ \t]*(?:,|\/|;|&|,?[ \t]+(?:and|or)(?=[ \t]))[ \t]*/y;

function countDigits(text: string, s: number, e: number): number {
  let n = 0;
  for (let i = s; i < e; i++) if (isDigitCode(text.charCodeAt(i))) n++;
  return n;
}

/** End of the run of ASCII digits starting at `pos`. */
function digitRunEnd(text: string, pos: number): number {
  let i = pos;
  while (isDigitCode(text.charCodeAt(i))) i++;
  return i;
}

/** The number written by the digits [s, e) of `text`. */
function digitsValue(text: string, s: number, e: number): number {
  let n = 0;
  for (let i = s; i < e; i++) n = n * 10 + text.charCodeAt(i) - 48;
  return n;
}

/** True where {@link NUMERIC_DATE} may end: `(?![\w/]|[.-]\d)` at `pos`. */
function isDateEnd(text: string, pos: number): boolean {
  const c = text.charCodeAt(pos);
  if (isAlnumCode(c) || c === 95 || c === 47) return false;
  return !((c === 46 || c === 45) && isDigitCode(text.charCodeAt(pos + 1)));
}

/**
 * Where a real numeric date starting at `s` ends, or -1: what {@link NUMERIC_DATE} matches at `s` when the
 * match is a real date (two-digit years only after slashes), read by hand without a match array. `re` ends the
 * digit run starting at `s`.
 * Each group is a whole digit run (a shorter one would leave a digit where a separator or the end must be), so
 * the runs decide which alternative matches; only a time of day after an ISO date is left to the expression.
 */
export function numericDateEnd(text: string, s: number, re: number): number {
  const runLen = re - s;
  const sep = text.charCodeAt(re);
  if (runLen < 1 || runLen > 4 || runLen === 3 || (sep !== 45 && sep !== 47 && sep !== 46)) return -1;
  const e2 = digitRunEnd(text, re + 1);
  const len2 = e2 - re - 1;
  if (runLen === 4) {
    // Year, month and day: 1952-03-14, with an optional time of day.
    if (len2 < 1 || len2 > 2 || text.charCodeAt(e2) !== sep) return -1;
    const e3 = digitRunEnd(text, e2 + 1);
    const len3 = e3 - e2 - 1;
    if (len3 < 1 || len3 > 2) return -1;
    let end = e3;
    const t = text.charCodeAt(e3);
    if ((t === 84 || t === 32) && isDigitCode(text.charCodeAt(e3 + 1))) {
      NUMERIC_DATE.lastIndex = s;
      if (!NUMERIC_DATE.test(text)) return -1;
      end = NUMERIC_DATE.lastIndex;
    } else if (!isDateEnd(text, e3)) return -1;
    const valid = isValidDate(
      digitsValue(text, s, re),
      digitsValue(text, re + 1, e2),
      digitsValue(text, e2 + 1, e3),
    );
    return valid ? end : -1;
  }
  // Month/day/year in either order (3/14/1952, 14.03.52): two-digit years only after slashes.
  if (len2 >= 1 && len2 <= 2 && text.charCodeAt(e2) === sep) {
    const e3 = digitRunEnd(text, e2 + 1);
    const len3 = e3 - e2 - 1;
    if ((len3 === 4 || len3 === 2) && isDateEnd(text, e3)) {
      if (len3 === 2 && sep !== 47) return -1;
      const year = len3 === 2 ? 2000 : digitsValue(text, e2 + 1, e3);
      const a = digitsValue(text, s, re);
      const b = digitsValue(text, re + 1, e2);
      return isValidDate(year, a, b) || isValidDate(year, b, a) ? e3 : -1;
    }
  }
  // Month/year: 3/1952.
  if (sep !== 47 || len2 !== 4 || !isDateEnd(text, e2)) return -1;
  const century = digitsValue(text, re + 1, re + 3);
  if (century !== 19 && century !== 20) return -1;
  return isValidDate(digitsValue(text, re + 1, e2), digitsValue(text, s, re), 1) ? e2 : -1;
}

/**
 * Labels in scripts the label trie does not read (it folds Latin letters only): Greek, Cyrillic, Arabic and
 * Devanagari words (after a non-letter), Chinese, Japanese and Korean ones (after anything). The first group is a
 * telephone's label, the second a record number's; both end where the separators before the value start.
 */
const SCRIPT_LABEL =
  /(?:(?<![\p{L}\p{M}])(?:(τηλ(?:έφωνο)?|κιν(?:ητό)?|тел(?:ефон)?|моб(?:ильный)?|сот(?:овый)?|هاتف|جوال|موبايل|(?:\u092B\u093C?|\u095E)\u094B\u0928|मोबाइल)|(номер (?:карты|медкарты|истории болезни)|№ (?:карты|истории болезни)|رقم الملف|αριθμός μητρώου))|(電話(?:番号)?|电话(?:号码)?|联系电话|手[机機](?:号码?)?|携帯(?:電話)?|連絡先|전화(?:번호)?|휴대폰|핸드폰|연락처)|(病[歷历案][號号][碼码]?|住院[号號]|门诊号|カルテ(?:番号)?|患者(?:番号|ID)|診察券番号|환자\s?번호|등록번호|병록번호))$/iu;
/** Separators between a label and its value as {@link scriptLabelBefore} skips them (full-width colon too). */
const isScriptLabelSeparator = (c: number): boolean =>
  c === 32 || c === 9 || c === 58 || c === 0xff1a || c === 46 || c === 35 || c === 45 || c === 8470;

/**
 * The kind (L_PHONE or L_MRN) of a label in another script ending right before the value at `vs`, or -1. Only
 * text whose last letter before the value is outside Latin script is read, a slice of at most 24 characters.
 */
function scriptLabelBefore(text: string, vs: number): number {
  let p = vs;
  while (p > 0 && vs - p < 4 && isScriptLabelSeparator(text.charCodeAt(p - 1))) p--;
  if (p === 0 || text.charCodeAt(p - 1) < 0x370) return -1;
  const m = SCRIPT_LABEL.exec(text.slice(Math.max(0, p - 24), p));
  if (m === null) return -1;
  return m[1] !== undefined || m[3] !== undefined ? L_PHONE : L_MRN;
}

/** Extra checks on a labelled value: SSN validity, NANP phone numbers, real compact dates, ages over 89. */
/**
 * Words such as "visit", "admission" or "clinic" also come before a date or an address: a record label's value
 * that reads whole as a numeric date or an IPv4 address is left to those detectors.
 */
function isRecordValue(text: string, start: number, end: number): boolean {
  if (!isDigitCode(text.charCodeAt(start))) return true;
  if (numericDateEnd(text, start, digitRunEnd(text, start)) >= end) return false;
  return !IPV4_WHOLE.test(text.slice(start, end));
}

function labelledValueValid(kind: number, text: string, start: number, end: number): boolean {
  if (
    kind !== L_SSN &&
    kind !== L_PHONE &&
    kind !== L_FAX &&
    kind !== L_DOB &&
    kind !== L_AGE &&
    kind !== L_PHONE_WORD &&
    kind !== L_MRN
  )
    return true;
  if (kind === L_MRN) return isRecordValue(text, start, end);
  const value = text.slice(start, end);
  switch (kind) {
    case L_PHONE_WORD: {
      if (countDigits(text, start, end) < 7) return false;
      // After a word of running text ("at", "on"), a number is a telephone only if it reads as nothing else:
      // not a date, an IP address, a range of years or times, a grouped SSN, a measurement with decimals.
      if (numericDateEnd(text, start, digitRunEnd(text, start)) > 0) return false;
      if (/^\d{1,3}(?:\.\d{1,3}){3}$|^\d{4}[-/]\d{4}$|^\d{3}([ .-])\d{2}\1\d{4}|^\d+[.,]\d{1,2}$/.test(value))
        return false;
      const digits = value.replace(EXTENSION_TAIL, '').replace(/\D/g, '');
      return digits.length >= 7 && digits.length <= 15;
    }
    case L_SSN:
      return isValidSsn(value);
    case L_PHONE:
    case L_FAX: {
      // "Sex: F 02/03/1950": after the bare "F" a date is a date, not a fax number.
      if (kind === L_FAX && numericDateEnd(text, start, digitRunEnd(text, start)) >= end) return false;
      // After a label, any country's number: 7 to 15 digits (ITU E.164), the extension aside; an SSN's
      // grouping (3-2-4) is left to the SSN detector.
      if (/^\d{3}([ .-])\d{2}\1\d{4}$/.test(value)) return false;
      const digits = value.replace(EXTENSION_TAIL, '').replace(/\D/g, '');
      return digits.length >= 7 && digits.length <= 15;
    }
    case L_DOB:
      return compactDate(value);
    default: {
      const age = Number(value);
      return age > 89 && age < 130;
    }
  }
}

/** Sorts detections and merges overlapping masked spans; the longer, then more specific, kind names the union. */
function merge(found: Found[]): Found[] {
  // Insertion sort: the lists are short and mostly in order already.
  for (let i = 1; i < found.length; i++) {
    const f = found[i]!;
    let j = i - 1;
    while (j >= 0 && (found[j]!.start > f.start || (found[j]!.start === f.start && found[j]!.end < f.end))) {
      found[j + 1] = found[j]!;
      j--;
    }
    found[j + 1] = f;
  }
  let w = 0;
  let cur: Found | undefined;
  let curLen = 0;
  let flags: Found[] | undefined;
  for (let i = 0; i < found.length; i++) {
    const f = found[i]!;
    if (f.rank < 0) {
      flags ??= [];
      flags.push(f);
      continue;
    }
    if (cur !== undefined && f.start < cur.end) {
      const len = f.end - f.start;
      if (len > curLen || (len === curLen && f.rank > cur.rank)) {
        cur.kind = f.kind;
        cur.rank = f.rank;
        curLen = len;
      }
      if (f.end > cur.end) cur.end = f.end;
      continue;
    }
    cur = f;
    curLen = f.end - f.start;
    found[w++] = f;
  }
  found.length = w;
  if (flags === undefined) return found;
  for (const f of flags) found.push(f);
  return found.sort((a, b) => a.start - b.start || a.end - b.end);
}

const compiledSets = new Map<string, DetectorSet>();

/** A {@link DetectorSet} for `options`, compiled once per distinct options and cached. */
export function compileDetectors(options: DetectorOptions = {}): DetectorSet {
  const key = JSON.stringify([
    options.kinds,
    options.mrn,
    options.healthPlan,
    options.account,
    options.custom,
  ]);
  let set = compiledSets.get(key);
  if (!set) {
    set = new DetectorSet(options);
    if (compiledSets.size > 100) compiledSets.clear();
    compiledSets.set(key, set);
  }
  return set;
}

/**
 * Finds Safe Harbor identifiers in `text`: non-overlapping `{kind, start, end}` spans sorted by start.
 * `context` (a column or key name such as `ssn` or `first_name`) lets a bare value count as its kind.
 */
export function detectIdentifiers(
  text: string,
  options: DetectorOptions & { context?: string } = {},
): Detection[] {
  return compileDetectors(options).detect(text, options.context);
}
