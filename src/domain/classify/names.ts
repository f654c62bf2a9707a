// What an activity's (or a planned run's) title says about the session, in English,
// German, French, Spanish and Dutch. Names are the weakest evidence DESIGN.md lists,
// and many words are traps: French "course" and Spanish "carrera" are also the plain
// word for "a run" (Strava's own default titles use them), "Long Island" is not a long
// run, "tempo" is "weather" in Portuguese. Such words carry a low strength that never
// decides a classification alone.
import type { RunSubtype } from "./types.ts";

export type NameVerdict = RunSubtype | "rest";

export interface NameHint {
  verdict: NameVerdict;
  /** the words of the title that matched, as written */
  words: string;
  /** 0..1; below DECISIVE a hint only colours the confidence */
  strength: number;
  /** why a hint was discounted, for the reasons */
  note: string | null;
  /** for a weak word: why it cannot decide ("also the plain French word for a run") */
  caveat: string | null;
}

export const DECISIVE = 0.5;

interface Pattern {
  verdict: NameVerdict;
  re: RegExp;
  strength: number;
  caveat?: string;
}

// Matched against the title lower-cased with accents stripped ("fractionné" -> "fractionne").
const PATTERNS: Pattern[] = [
  // repetitions written as a count and a distance or time: 8x400, 6 x 1km, 5×3', 10x1 min
  {
    verdict: "intervals",
    re: /\b([2-9]|[1-4]\d)\s*[x×*]\s*\d+(?:[.,]\d+)?\s*(?:m|km|k|mi|min|mins|s|sec|"|'|’)?(?![\p{L}\d])/u,
    strength: 0.75,
  },
  {
    verdict: "intervals",
    re: /\b(?:intervals?|intervall\w*|interval\w*|fractionne\w*|vma|vo2\s?max|vo2)\b/u,
    strength: 0.75,
  },
  {
    verdict: "intervals",
    re: /\b(?:series|repeats|reps|track\s+(?:workout|session)|bahntraining|pyramid\w*|piramide\w*|cambios de ritmo)\b/u,
    strength: 0.55,
  },
  // "3x Harlem Hills", "hills 3x": repeats of something named, not measured
  {
    verdict: "intervals",
    re: /\b(?:[2-9]|1\d)\s*x\s+\p{L}|\p{L}\s+(?:[2-9]|1\d)x\b|\bhill\s+(?:repeats|sprints)\b|\bbergsprints?\b|\bcotes\b/u,
    strength: 0.5,
  },
  { verdict: "workout", re: /\bfartlek\w*\b|\bworkout\b|\bspeed\s*work\b/u, strength: 0.7 },
  // the athlete's own word for the effort ("Hard", "Hard AF"), but not Hard Rock or hard-packed trails
  {
    verdict: "workout",
    re: /\bhard\b(?![\s-]*(?:rock|wood|top|court|surface|packed|pack))/u,
    strength: 0.55,
  },
  // "tempo" and its compounds (Tempolauf, Tempodauerlauf, tempoloop, tempoduurloop) but not temporary/temporada
  { verdict: "tempo", re: /\btempo(?!r)\w*/u, strength: 0.75 },
  {
    verdict: "tempo",
    re: /\b(?:threshold|lactate|schwelle\w*|seuil|umbral|drempel\w*|cruise)\b/u,
    strength: 0.75,
  },
  {
    verdict: "tempo",
    re: /\b(?:progression|progressive|progressif|progresivo|progressief|steigerungslauf|fast finish)\b/u,
    strength: 0.6,
  },
  {
    verdict: "tempo",
    re: /\b(?:race pace|marathon pace|half marathon pace|mp run|allure (?:marathon|semi|10)|ritmo (?:de )?(?:maraton|carrera|competicion)|wettkampftempo|racetempo)\b/u,
    strength: 0.65,
  },
  {
    verdict: "race",
    // "race pace" and "Wettkampftempo" are a pace, read above as tempo
    re: /\b(?:race|racing|raced)\b(?!\s*pace)|\bwettkampf(?!tempo)\w*|\b(?:wedstrijd\w*|competition|competicion|time trial|zeitlauf|carrera popular|course officielle)\b/u,
    strength: 0.75,
  },
  { verdict: "race", re: /\bparkrun\b/u, strength: 0.7 },
  // glued into hashtags too (#TCSNYCMarathon), but not "marathon training" or "marathon pace";
  // still only a hint: "post-marathon shakeout", "marathon high" are not races
  {
    verdict: "race",
    re: /marath?on(?!\s*(?:training|pace|prep|build|plan|entrenamiento))/u,
    strength: 0.45,
    caveat: "names races but also marathon training and the runs around one",
  },
  {
    verdict: "race",
    re: /\bcourse\b(?!\s+a\s+pied)/u,
    strength: 0.3,
    caveat: "can mean a race but is also the plain French word for a run",
  },
  {
    verdict: "race",
    re: /\bcarrera\b(?!\s+(?:continua|suave|de recuperacion|matutina|vespertina|nocturna|por la|de (?:la )?(?:manana|tarde|noche)))/u,
    strength: 0.2,
    caveat:
      "can mean a race but is also the plain Spanish word for a run (Strava's own default titles use it)",
  },
  {
    verdict: "long",
    re: /\b(?:long\s*run|longrun|long slow|long easy|lsd|lange[rn]?\s+(?:lauf|duurloop)|lange\s+einheit|sortie longue|tirada larga|rodaje largo|fondo largo|duurloop lang)\b/u,
    strength: 0.7,
  },
  {
    verdict: "recovery",
    re: /\b(?:recovery|recup\w*|regeneration|regenerativ\w*|herstel\w*|shake\s?-?out)\b/u,
    strength: 0.65,
  },
  {
    verdict: "easy",
    re: /\b(?:easy|locker\w*|ruhig\w*|grundlage\w*|ga1|footing|endurance fondamentale|suave|rodaje|carrera continua|rustig\w*|duurloop|dauerlauf|jog|jogging|z2|zone 2|warm\s?-?up|cool\s?-?down|einlaufen|auslaufen|strides|steigerungen)\b/u,
    strength: 0.6,
  },
  {
    verdict: "rest",
    re: /\b(?:rest|rest day|day off|off day|ruhetag|repos|descanso|rustdag|rust)\b/u,
    strength: 0.8,
  },
];

const QUALITY: ReadonlySet<NameVerdict> = new Set(["intervals", "tempo", "race", "workout", "long"]);

export function isQualityVerdict(v: NameVerdict): boolean {
  return QUALITY.has(v);
}

export function normalizeName(name: string): string {
  return name.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** Every hint the title carries, strongest first. */
export function nameHints(name: string): NameHint[] {
  const { text, spans, source } = normalizeWithSpans(name);
  const hints: NameHint[] = [];
  for (const p of PATTERNS) {
    const m = p.re.exec(text);
    if (!m || hints.some((h) => h.verdict === p.verdict)) continue;
    const from = spans[m.index] ?? 0;
    const to = spans[m.index + m[0].length] ?? source.length;
    hints.push({
      verdict: p.verdict,
      words: source.slice(from, to).trim(),
      strength: p.strength,
      note: null,
      caveat: p.caveat ?? null,
    });
  }
  return hints.sort((a, b) => b.strength - a.strength);
}

/**
 * The one reading of a title: the strongest hint, except that an easy or recovery word
 * beside a race word describes the run around a race ("warm-up to the race", "recovery
 * after the race"), and strides ("easy + 6x20s strides") are not intervals.
 */
export function readName(name: string): NameHint | null {
  const hints = nameHints(name);
  const easy = hints.find((h) => h.verdict === "easy" || h.verdict === "recovery");
  const quality = hints.find((h) => isQualityVerdict(h.verdict));
  if (easy && quality && quality.verdict !== "long") {
    if (quality.verdict === "race" || /\b(?:strides|steigerungen)\b/.test(normalizeName(name))) {
      return { ...easy, note: `"${quality.words}" names the occasion, not the effort` };
    }
    return { ...quality, strength: quality.strength - 0.15, note: `the title also says "${easy.words}"` };
  }
  return hints[0] ?? null;
}

// Normalizes code point by code point so that a match in the normalized text maps back
// to the words as the athlete wrote them (stripping accents changes lengths).
function normalizeWithSpans(name: string): { text: string; spans: number[]; source: string } {
  const source = name.normalize("NFC");
  let text = "";
  const spans: number[] = [];
  let i = 0;
  for (const ch of source) {
    const n = normalizeName(ch);
    for (let k = 0; k < n.length; k++) spans.push(i);
    text += n;
    i += ch.length;
  }
  spans.push(source.length);
  return { text, spans, source };
}
