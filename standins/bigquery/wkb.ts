// Well-known binary to well-known text, for sending DuckDB GEOMETRY values as BigQuery GEOGRAPHY strings.

const TYPE_NAMES = [
  '',
  'POINT',
  'LINESTRING',
  'POLYGON',
  'MULTIPOINT',
  'MULTILINESTRING',
  'MULTIPOLYGON',
  'GEOMETRYCOLLECTION',
];

/** Converts WKB (ISO or EWKB flags, either byte order) to WKT in BigQuery's spelling, e.g. `POINT(1 2)`. */
export function wkbToWkt(bytes: Uint8Array): string {
  const reader = new WkbReader(bytes);
  return reader.geometry();
}

class WkbReader {
  readonly view: DataView;
  offset = 0;
  littleEndian = true;
  dimensions = 2;
  constructor(bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  geometry(): string {
    this.littleEndian = this.view.getUint8(this.offset) === 1;
    this.offset += 1;
    const rawType = this.uint32();
    const type = this.decodeType(rawType);
    const name = TYPE_NAMES[type];
    if (!name) throw new Error(`Unsupported WKB geometry type ${rawType}`);
    const body = this.body(type);
    return body === undefined ? `${name} EMPTY` : `${name}${body}`;
  }

  private decodeType(rawType: number): number {
    const hasZ = (rawType & 0x80000000) !== 0 || Math.floor((rawType & 0xffff) / 1000) % 2 === 1;
    const hasM = (rawType & 0x40000000) !== 0 || Math.floor((rawType & 0xffff) / 1000) >= 2;
    if ((rawType & 0x20000000) !== 0) this.offset += 4; // EWKB SRID
    this.dimensions = 2 + (hasZ ? 1 : 0) + (hasM ? 1 : 0);
    return (rawType & 0xffff) % 1000;
  }

  private body(type: number): string | undefined {
    if (type === 1) return this.point();
    if (type === 2) return this.list(() => this.coordinate());
    if (type === 3) return this.list(() => this.list(() => this.coordinate()) ?? '()');
    if (type === 4) return this.list(() => stripName(this.geometry()).replace(/^\((.*)\)$/, '$1'));
    if (type === 5 || type === 6) return this.list(() => stripName(this.geometry()));
    return this.list(() => this.geometry());
  }

  private point(): string | undefined {
    const coordinate = this.coordinate();
    return coordinate.includes('NaN') ? undefined : `(${coordinate})`;
  }

  private list(item: () => string): string | undefined {
    const count = this.uint32();
    if (count === 0) return undefined;
    const items: string[] = [];
    for (let i = 0; i < count; i++) items.push(item());
    return `(${items.join(', ')})`;
  }

  private coordinate(): string {
    const values: string[] = [];
    for (let i = 0; i < this.dimensions; i++) {
      const value = this.view.getFloat64(this.offset, this.littleEndian);
      this.offset += 8;
      if (i < 2) values.push(String(value));
    }
    return values.join(' ');
  }

  private uint32(): number {
    const value = this.view.getUint32(this.offset, this.littleEndian);
    this.offset += 4;
    return value;
  }
}

/** `POINT(1 2)` → `(1 2)`; multi-geometries list their parts without the part type names. */
function stripName(wkt: string): string {
  const open = wkt.indexOf('(');
  return open === -1 ? '(EMPTY)' : wkt.slice(open);
}
