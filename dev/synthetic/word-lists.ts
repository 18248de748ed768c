// Word lists for synthetic people and places: given names, surnames, streets, and US cities with ZIPs and area codes.

const words = (...lines: string[]): string[] => lines.flatMap((line) => line.split(' '));

/** Female given names. */
import { RESTRICTED_ZIP3 as SAFE_HARBOR_RESTRICTED_ZIP3 } from '../../shared/core/masking/strategies.ts';

export const FEMALE_FIRST_NAMES: readonly string[] = words(
  'Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty',
  'Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah',
  'Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma',
  'Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather',
  'Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren Christina Guadalupe Mei Aisha',
  'Priya Yesenia Fatima Ngozi Hana Sofia Ximena',
);

/** Male given names. */
export const MALE_FIRST_NAMES: readonly string[] = words(
  'James Robert John Michael David William Richard Joseph Thomas Christopher Daniel',
  'Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald',
  'Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon',
  'Benjamin Samuel Gregory Alexander Frank Patrick Raymond Dennis Jerry Tyler Aaron Jose Adam',
  'Nathan Henry Douglas Zachary Peter Kyle Luis Wei Ahmed Rajesh Oluwaseun Hiroshi Mateo Dmitri',
  'Tariq Santiago',
);

/** Surnames. */
export const LAST_NAMES: readonly string[] = words(
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez',
  'Gonzalez Wilson Anderson Thomas Taylor Moore Martin Lee Perez Thompson White Harris',
  'Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill',
  'Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips',
  'Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers',
  'Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson',
  "O'Brien Chen Patel Okafor Kowalski Yamamoto Haddad Schmidt Novak Ivanov Bennett",
  'Brooks Sullivan Fitzgerald Gallagher Singh Abbott Delgado',
);

/**
 * Given names of clinicians. Disjoint from, and containing none of, the patient names, so that a clinician's
 * name left in a note never looks like a patient identifier a masker missed.
 */
export const CLINICIAN_FIRST_NAMES: readonly string[] = words(
  'Adrian Beatrice Colin Daphne Elliot Fiona Graham Harriet Imogen Jasper Kurt Lydia Malcolm Nora Oscar',
  'Penelope Quentin Rosalind Simon Tessa Vincent Wendy Xavier Yvonne Audrey Bernard Cecilia Desmond',
  'Eleanor Felix Gwendolyn Hugo Ingrid Julian Milo Nadia Otto Rupert Sylvia Theodore Ursula Vera Winston',
);

/** Family names of clinicians; see {@link CLINICIAN_FIRST_NAMES}. */
export const CLINICIAN_LAST_NAMES: readonly string[] = words(
  'Abernathy Blackwood Castellanos Drummond Ellsworth Fairbanks Galloway Hargrove Iverson Jablonski',
  'Kincaid Lindqvist Montague Nakamura Oyelaran Pemberton Quintero Rasmussen Sorensen Thorne Underwood',
  'Valentino Yoshida Zielinski Achterberg Bancroft Corrigan Dunleavy Esposito Fairweather Grisham',
  'Holloway Ingersoll Kaminski Lachance Mbeki Nordstrom Ostrowski Radcliffe Stanhope Tremblay',
);

/** Street names, without the suffix. */
export const STREET_NAMES: readonly string[] = words(
  'Maple Oak Pine Cedar Elm Washington Lincoln Park Lake Hill Main Church Highland Sunset Ridge',
  'Meadow Forest River Spring Chestnut Walnut Willow Jefferson Madison Franklin Adams Cherry',
  'Magnolia Dogwood Sycamore Mill Prospect Center Union Broad Market Orchard Valley Harbor Summit',
);

/** Street suffixes as written in addresses. */
export const STREET_SUFFIXES: readonly string[] = [
  'St',
  'Ave',
  'Rd',
  'Blvd',
  'Ln',
  'Dr',
  'Ct',
  'Way',
  'Pl',
  'Ter',
];

/** A city with its state, some real-looking 5-digit ZIPs, telephone area codes and a sampling weight. */
export interface CityEntry {
  city: string;
  state: string;
  zips: readonly string[];
  areaCodes: readonly string[];
  weight: number;
}

/** Three-digit ZIP prefixes Safe Harbor requires to be written as 000: the masking engine's list. */
export const RESTRICTED_ZIP3: readonly string[] = [...SAFE_HARBOR_RESTRICTED_ZIP3].sort();

const city = (name: string, state: string, zips: string, areaCodes: string, weight = 10): CityEntry => ({
  city: name,
  state,
  zips: zips.split(' '),
  areaCodes: areaCodes.split(' '),
  weight,
});

/**
 * US cities. Most are populous; the low-weight tail sits in Safe Harbor restricted ZIP3 areas so that a
 * realistic few percent of patients have ZIPs that must be generalised to 000.
 */
export const CITIES: readonly CityEntry[] = [
  city('Boston', 'MA', '02108 02115 02130 02134', '617 857'),
  city('Worcester', 'MA', '01602 01604 01609', '508 774'),
  city('Providence', 'RI', '02903 02906 02908', '401'),
  city('Hartford', 'CT', '06103 06106 06112', '860'),
  city('New York', 'NY', '10001 10011 10025 10027 10128', '212 646', 20),
  city('Brooklyn', 'NY', '11201 11215 11226', '718 347', 15),
  city('Buffalo', 'NY', '14201 14214 14222', '716'),
  city('Philadelphia', 'PA', '19103 19104 19147', '215 267', 15),
  city('Pittsburgh', 'PA', '15213 15217 15232', '412'),
  city('Newark', 'NJ', '07102 07104 07107', '973'),
  city('Baltimore', 'MD', '21201 21218 21224', '410 443'),
  city('Washington', 'DC', '20001 20009 20016', '202'),
  city('Richmond', 'VA', '23220 23225 23235', '804'),
  city('Charlotte', 'NC', '28202 28205 28277', '704 980'),
  city('Raleigh', 'NC', '27601 27605 27615', '919'),
  city('Atlanta', 'GA', '30303 30308 30318', '404 678', 15),
  city('Jacksonville', 'FL', '32202 32207 32256', '904'),
  city('Miami', 'FL', '33125 33130 33176', '305 786', 15),
  city('Tampa', 'FL', '33602 33606 33647', '813'),
  city('Orlando', 'FL', '32801 32803 32819', '407'),
  city('Nashville', 'TN', '37203 37206 37212', '615'),
  city('Memphis', 'TN', '38103 38104 38117', '901'),
  city('Louisville', 'KY', '40202 40204 40206', '502'),
  city('Columbus', 'OH', '43201 43206 43215', '614'),
  city('Cleveland', 'OH', '44102 44106 44113', '216'),
  city('Detroit', 'MI', '48201 48207 48226', '313'),
  city('Grand Rapids', 'MI', '49503 49504 49506', '616'),
  city('Indianapolis', 'IN', '46202 46204 46220', '317'),
  city('Chicago', 'IL', '60601 60614 60622 60647', '312 773', 20),
  city('Springfield', 'IL', '62701 62704 62711', '217'),
  city('Milwaukee', 'WI', '53202 53204 53211', '414'),
  city('Minneapolis', 'MN', '55401 55404 55408', '612'),
  city('St. Louis', 'MO', '63101 63104 63110', '314'),
  city('Kansas City', 'MO', '64105 64108 64111', '816'),
  city('Omaha', 'NE', '68102 68105 68114', '402'),
  city('Des Moines', 'IA', '50309 50310 50312', '515'),
  city('New Orleans', 'LA', '70112 70115 70130', '504'),
  city('Houston', 'TX', '77002 77004 77030 77098', '713 832', 20),
  city('Dallas', 'TX', '75201 75204 75214', '214 469', 15),
  city('Austin', 'TX', '78701 78704 78745', '512'),
  city('San Antonio', 'TX', '78205 78209 78229', '210'),
  city('Oklahoma City', 'OK', '73102 73106 73118', '405'),
  city('Denver', 'CO', '80202 80205 80220', '303 720'),
  city('Albuquerque', 'NM', '87102 87106 87110', '505'),
  city('Phoenix', 'AZ', '85003 85006 85016', '602', 15),
  city('Tucson', 'AZ', '85701 85705 85719', '520'),
  city('Salt Lake City', 'UT', '84101 84105 84111', '801'),
  city('Las Vegas', 'NV', '89101 89104 89119', '702'),
  city('Los Angeles', 'CA', '90012 90026 90034 90045', '213 310 323', 20),
  city('San Diego', 'CA', '92101 92103 92117', '619 858'),
  city('San Francisco', 'CA', '94103 94110 94117', '415'),
  city('Sacramento', 'CA', '95814 95816 95822', '916'),
  city('Portland', 'OR', '97201 97205 97214', '503'),
  city('Seattle', 'WA', '98101 98103 98115 98122', '206'),
  city('Boise', 'ID', '83702 83704 83706', '208'),
  city('Anchorage', 'AK', '99501 99504 99508', '907'),
  city('Honolulu', 'HI', '96813 96815 96822', '808'),
  // Safe Harbor restricted ZIP3 areas.
  city('Charlestown', 'NH', '03603', '603', 1),
  city('Canaan', 'VT', '05903', '802', 1),
  city('Fishers Island', 'NY', '06390', '631', 1),
  city('New York', 'NY', '10271 10279', '212', 1),
  city('Washington', 'DC', '20307 20310', '202', 1),
  city('Two Harbors', 'MN', '55616', '218', 1),
  city('Valentine', 'NE', '69201', '402', 1),
  city('Canyon', 'TX', '79015', '806', 1),
  city('Yellowstone National Park', 'WY', '82190', '307', 1),
  city('Rawlins', 'WY', '82301', '307', 1),
  city('Jackson', 'WY', '83001 83002', '307', 1),
  city('Big Piney', 'WY', '83113', '307', 1),
  city('Socorro', 'NM', '87801', '575', 1),
  city('Truth or Consequences', 'NM', '87901', '575', 1),
  city('Tucumcari', 'NM', '88401', '575', 1),
  city('Alamo', 'NV', '89001', '775', 1),
  city('Ely', 'NV', '89301', '775', 1),
];

/** Domains for synthetic e-mail addresses and personal URLs; all reserved or fictitious. */
export const EMAIL_DOMAINS: readonly string[] = [
  'example.com',
  'example.net',
  'example.org',
  'mail.example.com',
  'inbox.example.net',
];
