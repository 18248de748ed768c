// A detected identifier span, shared by the detectors.

/** An identifier found in text: its kind and UTF-16 offsets `[start, end)`. */
export interface Detection {
  kind: string;
  start: number;
  end: number;
}
