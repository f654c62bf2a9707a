// How numbers read in reasons: runners think in min/km and minutes, not m/s and seconds.

/** 3.0 m/s -> "5:33/km" */
export function pace(speedMps: number): string {
  if (!(speedMps > 0)) return "-";
  let s = Math.round(1000 / speedMps);
  const min = Math.floor(s / 60);
  s -= min * 60;
  return `${min}:${String(s).padStart(2, "0")}/km`;
}

/** 2850 -> "48 min", 6420 -> "1 h 47 min" */
export function duration(seconds: number): string {
  const totalMin = Math.round(seconds / 60);
  if (totalMin < 60) return `${totalMin} min`;
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

export function bpm(hr: number): string {
  return `${Math.round(hr)} bpm`;
}

export function percent(ratio: number): string {
  return `${Math.round(Math.abs(ratio) * 100)}%`;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  // biome-ignore lint/style/noNonNullAssertion: indices are inside a non-empty array
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
