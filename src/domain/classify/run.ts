// Classification of one completed activity, following DESIGN.md "Day classification":
// a run is quality when the evidence says so, in this order — the athlete's override,
// the source's own label, lap structure, intensity, duration, the name. The first
// signal that decides sets the kind; the others raise or lower the confidence and
// are kept as reasons, because the athlete is told why a day was treated as hard.
import type { Activity, Lap, Samples } from "../activity.ts";
import {
  absoluteHr,
  hrBlock,
  limitsFromActivity,
  perceivedExertionVoice,
  readHrSamples,
  sufferVoice,
  trainingEffectVoice,
  type Voice,
} from "./effort.ts";
import { bpm, duration, pace, percent, round2 } from "./format.ts";
import { DECISIVE, isQualityVerdict, readName } from "./names.ts";
import { readLaps, type Strides } from "./structure.ts";
import type { Classification, ClassifyContext, HeartRateZone, RunBaseline, RunSubtype } from "./types.ts";

type Signal = "override" | "label" | "structure" | "intensity" | "duration" | "name";

interface Finding {
  signal: Signal;
  verdict: "quality" | "easy";
  subtype: RunSubtype;
  /** 0..1; a quality finding decides at DECISIVE or above */
  strength: number;
  reasons: string[];
  /** judged against no number of the athlete's own (HR hard for nearly anyone) */
  weak?: boolean;
}

/** Zone-2 ceiling and its neighbours, from the athlete's zones or from a max HR. */
export interface HrLimits {
  /** top of zone 1: below it a run is a recovery jog */
  z1: number;
  /** top of zone 2: the easy ceiling */
  z2: number;
  /** top of zone 3: above it a whole run is a hard, sustained effort */
  z3: number;
  source: string;
}

// Strava's default zones are these fractions of max HR (its /athlete/zones answer for
// a 171 bpm maximum is 111/139/152/166): the same split applies when only a max is known.
const Z1_OF_MAX = 0.65;
const Z2_OF_MAX = 0.81;
const Z3_OF_MAX = 0.89;

export function hrLimits(ctx: ClassifyContext): HrLimits | null {
  const zones = ctx.hrZones ?? null;
  const z = (i: number): HeartRateZone | undefined => zones?.[i];
  const z2 = z(1)?.max ?? 0;
  if (zones && zones.length >= 2 && z2 > 0) {
    // Two zones only: zone 3 is about as wide as Strava's default (13 bpm at a 171 max).
    const z3 = (z(2)?.max ?? 0) > z2 ? (z(2)?.max as number) : z2 + 13;
    return { z1: z(0)?.max ?? z2 - 25, z2, z3, source: `your zone-2 ceiling of ${bpm(z2)}` };
  }
  const max = ctx.maxHr ?? null;
  if (max && max > 100) {
    const c = Math.round(max * Z2_OF_MAX);
    return {
      z1: Math.round(max * Z1_OF_MAX),
      z2: c,
      z3: Math.round(max * Z3_OF_MAX),
      source: `your zone-2 ceiling of ${bpm(c)} (81% of max HR ${bpm(max)})`,
    };
  }
  return null;
}

function speedOf(a: Activity): number | null {
  if (a.avgSpeedMps !== null && a.avgSpeedMps > 0) return a.avgSpeedMps;
  const t = a.movingS > 0 ? a.movingS : a.elapsedS;
  return t > 0 && a.distanceM > 0 ? a.distanceM / t : null;
}

// --- the signals, each read on its own -------------------------------------------------

function labelFinding(a: Activity): Finding | null {
  if (!a.sourceLabel) return null;
  const subtype: RunSubtype =
    a.sourceLabel === "long" ? "long" : a.sourceLabel === "race" ? "race" : "workout";
  const words = { race: "a race", long: "a long run", workout: "a workout" }[a.sourceLabel];
  let reason: string;
  if (a.multisport && a.multisport.length > 1) {
    const legs = a.multisport.join(" → ");
    reason =
      a.sourceLabel === "race"
        ? `The file records a triathlon (${legs}); this is its run leg, a race effort.`
        : `The file records a multisport session (${legs}); its run leg comes on tired legs, a key session.`;
  } else if (a.source === "strava") {
    const code = { race: 1, long: 2, workout: 3 }[a.sourceLabel];
    reason = `Strava marks it as ${words} (workout_type ${code}).`;
  } else {
    reason = `${a.source === "garmin" ? "Garmin" : "The file"} marks it as ${words}.`;
  }
  return { signal: "label", verdict: "quality", subtype, strength: 0.9, reasons: [reason] };
}

interface IntensityRead {
  finding: Finding | null;
  /** HR at or below the easy ceiling, or well below the athlete's usual */
  hrEasy: boolean;
  hrRecovery: boolean;
  /** pace clearly slower than the rolling easy pace */
  paceSlow: boolean;
  paceKnown: boolean;
  hrKnown: boolean;
  /** a training effect, the athlete's rating or a relative effort spoke */
  effortKnown: boolean;
  notes: string[];
}

function intensity(
  a: Activity,
  limits: HrLimits | null,
  baseline: RunBaseline | null,
  speed: number | null,
): IntensityRead {
  const notes: string[] = [];
  const easyHr = baseline?.easyHr ?? null;
  const samples = readHrSamples(a);

  // Heart rate: against the zone-2 ceiling, then against the athlete's own easy effort,
  // which unmasks zones set too low (Strava's default is age-based).
  let hr: HrRead = { level: "none", reason: "" };
  // zone 1 is a recovery effort by itself; well below the athlete's usual only with a slow pace too
  let hrRecovery = false;
  let hrWellBelowUsual = false;
  const avgHr = a.avgHr;
  if (avgHr !== null && limits) {
    if (avgHr > limits.z3) {
      hr = { level: "strong", reason: `Average HR ${bpm(avgHr)} is above ${limits.source}, into zone 4.` };
    } else if (avgHr > limits.z2 + 2) {
      hr = { level: "moderate", reason: `Average HR ${bpm(avgHr)} is above ${limits.source}.` };
    } else if (avgHr > limits.z2) {
      // within a strap's or a wrist sensor's error of the ceiling: neither side
      notes.push(`Average HR ${bpm(avgHr)} is at ${limits.source}, too close to call.`);
    } else {
      hr = { level: "easy", reason: `Average HR ${bpm(avgHr)} stayed at or below ${limits.source}.` };
      hrRecovery = avgHr <= limits.z1;
    }
    if (easyHr !== null && (hr.level === "strong" || hr.level === "moderate") && avgHr < easyHr + 8) {
      const usual = `your usual easy-run HR of ${bpm(easyHr)}`;
      if (hr.level === "strong" && avgHr >= easyHr + 4) {
        hr = { level: "moderate", reason: `${hr.reason} It is only a little above ${usual}.` };
      } else {
        const relation = avgHr <= easyHr - 8 ? "well below" : "close to";
        hr = {
          level: "easy",
          reason: `Average HR ${bpm(avgHr)} is above ${limits.source} but ${relation} ${usual}, so it reads as an easy effort for you (your zones may be set low).`,
        };
        hrWellBelowUsual = avgHr <= easyHr - 10;
      }
    } else if (easyHr !== null && hr.level === "easy" && avgHr <= easyHr - 10) {
      hrWellBelowUsual = true;
    }
  } else if (avgHr !== null && easyHr !== null) {
    // No zones: the athlete's own easy HR is the only yardstick.
    if (avgHr >= easyHr + 12) {
      hr = {
        level: "moderate",
        reason: `Average HR ${bpm(avgHr)} is well above your usual easy-run HR of ${bpm(easyHr)}.`,
      };
    } else if (avgHr <= easyHr + 4) {
      hr = {
        level: "easy",
        reason: `Average HR ${bpm(avgHr)} is in line with your usual easy runs (${bpm(easyHr)}).`,
      };
      hrWellBelowUsual = avgHr <= easyHr - 10;
    }
  }
  // Time above the ceiling, from the samples or else the laps: a run whose average hides a hard middle.
  if (hr.level === "easy" && limits) {
    const hot = a.laps.filter((l) => l.avgHr !== null && (l.avgHr ?? 0) > limits.z2);
    const lapHotS = a.laps.length >= 2 ? hot.reduce((s, l) => s + (l.movingS || l.elapsedS), 0) : 0;
    const sampleHotS = samples ? samples.longestAbove(limits.z2) : 0;
    if (lapHotS >= 20 * 60 && lapHotS >= a.movingS * 0.25) {
      hr = { level: "moderate", reason: `${duration(lapHotS)} of laps averaged above ${limits.source}.` };
      hrRecovery = false;
    } else if (sampleHotS >= 15 * 60) {
      hr = { level: "moderate", reason: `A block of ${duration(sampleHotS)} ran above ${limits.source}.` };
      hrRecovery = false;
    }
  }
  // Nothing of the athlete's own to judge HR against: a heart rate hard for nearly any
  // adult is still evidence, at a lower confidence, rather than a reason to call it easy.
  let absolute: "sustained" | "plain" | null = null;
  if (hr.level === "none" && !limits && easyHr === null) {
    const abs = absoluteHr(a, samples);
    const block = abs ? null : hrBlock(a, samples);
    if (abs) {
      hr = { level: "moderate", reason: abs.reason };
      absolute = abs.sustained ? "sustained" : "plain";
    } else if (block) {
      hr = { level: "moderate", reason: block.reason };
      absolute = "plain";
    }
  }

  // Pace against the rolling easy pace. Trails make pace meaningless for effort.
  let pc: PaceRead = { level: "none", reason: "" };
  const easySpeed = baseline?.easySpeedMps ?? null;
  const trail = /trail/i.test(a.sportType);
  // A treadmill's pace comes from its belt or a foot pod: it says little about effort.
  if (speed !== null && easySpeed !== null && easySpeed > 0 && !a.indoor) {
    const ratio = speed / easySpeed;
    const vs = `your recent easy pace of ${pace(easySpeed)}`;
    if (trail && ratio < 1.08) {
      pc = { level: "none", reason: "" };
    } else if (ratio >= 1.15) {
      pc = { level: "strong", reason: `Pace ${pace(speed)} is ${percent(ratio - 1)} faster than ${vs}.` };
    } else if (ratio >= 1.08) {
      pc = { level: "moderate", reason: `Pace ${pace(speed)} is ${percent(ratio - 1)} faster than ${vs}.` };
    } else if (ratio <= 0.88) {
      pc = { level: "slow", reason: `Pace ${pace(speed)} is ${percent(1 - ratio)} slower than ${vs}.` };
    } else {
      pc = { level: "easy", reason: `Pace ${pace(speed)} is close to ${vs}.` };
    }
  }

  const paceRatio = speed !== null && easySpeed ? speed / easySpeed : null;
  if (hrWellBelowUsual && paceRatio !== null && paceRatio <= 0.95) hrRecovery = true;
  const hrE = hr.level === "easy";
  const voices = [perceivedExertionVoice(a), trainingEffectVoice(a), sufferVoice(a, baseline)].filter(
    (v): v is Voice => v !== null,
  );
  const read: IntensityRead = {
    finding: null,
    hrEasy: hrE,
    hrRecovery,
    paceSlow: pc.level === "slow",
    paceKnown: pc.level !== "none",
    hrKnown: hr.level !== "none",
    effortKnown: voices.length > 0,
    notes,
  };
  read.finding = heartAndPace(hr, pc, hrRecovery, absolute, notes);
  return weighVoices(read, voices);
}

type HrRead = { level: "strong" | "moderate" | "easy" | "none"; reason: string };
type PaceRead = { level: "strong" | "moderate" | "easy" | "slow" | "none"; reason: string };

function heartAndPace(
  hr: HrRead,
  pc: PaceRead,
  hrRecovery: boolean,
  absolute: "sustained" | "plain" | null,
  notes: string[],
): Finding | null {
  const hrQ = hr.level === "strong" || hr.level === "moderate";
  const pcQ = pc.level === "strong" || pc.level === "moderate";
  const hrE = hr.level === "easy";
  const pcE = pc.level === "easy" || pc.level === "slow";
  const reasons = [hr.reason, pc.reason].filter((r) => r !== "");
  if (hrQ || pcQ) {
    let strength: number;
    if (hrQ && pcQ) strength = hr.level === "strong" || pc.level === "strong" ? 0.85 : 0.75;
    else if (hrQ && !pcE) strength = hr.level === "strong" ? 0.75 : 0.6;
    else if (pcQ && !hrE) strength = pc.level === "strong" ? 0.7 : 0.55;
    else {
      // One says hard, the other easy: heat, hills, a tired day, or zones set wrong.
      const strong = hr.level === "strong" || pc.level === "strong";
      if (!strong) {
        notes.push(`${reasons.join(" ")} The two disagree, so intensity does not decide.`);
        return null;
      }
      strength = 0.55;
      reasons.push("Heart rate and pace disagree, so this is less certain.");
    }
    // HR judged against no number of the athlete's own stays below a confident answer.
    if (absolute && hrQ) strength = Math.min(strength, absolute === "sustained" ? 0.65 : 0.6);
    return {
      signal: "intensity",
      verdict: "quality",
      subtype: "tempo",
      strength,
      reasons,
      weak: absolute !== null,
    };
  }
  if (hrE || pcE) {
    const strength = hrE && pcE ? 0.8 : hrE ? 0.7 : 0.6;
    return {
      signal: "intensity",
      verdict: "easy",
      subtype: hrRecovery || pc.level === "slow" ? "recovery" : "easy",
      strength,
      reasons,
    };
  }
  return null;
}

/**
 * The athlete's own rating decides intensity when given; a training effect or a relative
 * effort adds to heart rate and pace when they agree, speaks alone when they are silent,
 * and leaves intensity undecided when they contradict an easy reading.
 */
function weighVoices(read: IntensityRead, voices: Voice[]): IntensityRead {
  if (voices.length === 0) return read;
  const f = read.finding;
  const rpe = voices.find((v) => v.source === "rating");
  const others = voices.filter((v) => v !== rpe);
  if (rpe) {
    const agree = others.filter((v) => v.verdict === rpe.verdict);
    const base = f && f.verdict === rpe.verdict ? Math.max(f.strength, rpe.strength) : rpe.strength;
    const reasons = [
      rpe.reason,
      ...(f && f.verdict === rpe.verdict ? f.reasons : []),
      ...agree.map((v) => v.reason),
    ];
    if (f && f.verdict !== rpe.verdict) reasons.push(`Against it: ${f.reasons.join(" ")}`);
    read.finding = {
      signal: "intensity",
      verdict: rpe.verdict,
      subtype: rpe.verdict === "quality" ? "tempo" : "easy",
      strength: Math.min(0.9, base + 0.04 * agree.length),
      reasons,
    };
    return read;
  }
  const pro = others.filter((v) => (f ? v.verdict === f.verdict : true));
  const contra = f ? others.filter((v) => v.verdict !== f.verdict) : [];
  if (f) {
    if (contra.length === 0) {
      read.finding = {
        ...f,
        strength: f.strength + 0.04 * pro.length,
        reasons: [...f.reasons, ...pro.map((v) => v.reason)],
      };
    } else if (f.verdict === "quality") {
      read.finding = {
        ...f,
        strength: f.strength - 0.1,
        reasons: [...f.reasons, `Against it: ${contra.map((v) => v.reason).join(" ")}`],
      };
    } else {
      read.notes.push(
        `${contra.map((v) => v.reason).join(" ")} It disagrees with the heart rate and pace, so intensity does not decide.`,
      );
      read.finding = null;
    }
    return read;
  }
  const q = others.filter((v) => v.verdict === "quality");
  const e = others.filter((v) => v.verdict === "easy");
  if (q.length && e.length) {
    read.notes.push(`${others.map((v) => v.reason).join(" ")} They disagree, so intensity does not decide.`);
  } else if (q.length || e.length) {
    const side = q.length ? q : e;
    read.finding = {
      signal: "intensity",
      verdict: side === q ? "quality" : "easy",
      subtype: side === q ? "tempo" : "easy",
      strength: Math.max(...side.map((v) => v.strength)) + 0.04 * (side.length - 1),
      reasons: side.map((v) => v.reason),
    };
  }
  return read;
}

const LONG_RUN_S = 90 * 60;

function durationFinding(a: Activity, baseline: RunBaseline | null): Finding | null {
  const t = a.movingS > 0 ? a.movingS : a.elapsedS;
  if (t >= LONG_RUN_S) {
    return {
      signal: "duration",
      verdict: "quality",
      subtype: "long",
      strength: t >= 120 * 60 ? 0.8 : 0.75,
      reasons: [`At ${duration(t)} it is a long run (90 min or more).`],
    };
  }
  const usual = baseline?.usualRunS ?? null;
  if (usual !== null && usual > 0 && t >= usual * 1.75 && t >= 50 * 60) {
    return {
      signal: "duration",
      verdict: "quality",
      subtype: "long",
      strength: 0.65,
      reasons: [
        `At ${duration(t)} it is well above your usual run of ${duration(usual)}: a long run for you.`,
      ],
    };
  }
  return null;
}

function nameFinding(a: Activity): { finding: Finding | null; note: string | null } {
  const hint = readName(a.name);
  if (!hint || hint.verdict === "rest") return { finding: null, note: null };
  const said = `The name "${a.name.trim()}" says "${hint.words}"`;
  const noted = hint.note ? ` (${hint.note})` : "";
  if (isQualityVerdict(hint.verdict)) {
    if (hint.strength < DECISIVE) {
      return {
        finding: null,
        note: `${said}, which ${hint.caveat ?? "is too vague"}, so it does not decide.`,
      };
    }
    return {
      finding: {
        signal: "name",
        verdict: "quality",
        subtype: hint.verdict as RunSubtype,
        strength: Math.min(hint.strength, 0.7),
        reasons: [`${said}${noted}.`],
      },
      note: null,
    };
  }
  return {
    finding: {
      signal: "name",
      verdict: "easy",
      subtype: hint.verdict as RunSubtype,
      strength: hint.strength,
      reasons: [`${said}${noted}.`],
    },
    note: null,
  };
}

// --- putting them together ------------------------------------------------------------

function clamp(x: number): number {
  return round2(Math.max(0.05, Math.min(0.99, x)));
}

function withoutStrides(a: Activity, strides: Strides, coreLaps: Lap[]): Activity {
  const total = a.movingS > 0 ? a.movingS : a.elapsedS;
  const t = total - strides.removedS;
  const d = a.distanceM - strides.removedM;
  if (t <= 0 || d <= 0) return a;
  // The average HR without the strides: from the samples left when they carry HR, else
  // the source's average less the part taken out; whole beats, as sources give it.
  const samples = a.samples ? withoutSpans(a.samples, strides.spans) : null;
  const sampleHrs = samples?.hr.filter((h): h is number => h !== null) ?? [];
  const hrT = total - strides.removedHrS;
  const lapsHrT = coreLaps.reduce((x, l) => x + (l.avgHr === null ? 0 : l.movingS || l.elapsedS), 0);
  const avgHr =
    a.avgHr === null
      ? null
      : sampleHrs.length >= 10
        ? sampleHrs.reduce((x, h) => x + h, 0) / sampleHrs.length
        : lapsHrT > 0
          ? coreLaps.reduce((x, l) => x + (l.avgHr ?? 0) * (l.movingS || l.elapsedS), 0) / lapsHrT
          : strides.removedHrS > 0 && hrT > 0
            ? (a.avgHr * total - strides.removedBeats) / hrT
            : a.avgHr;
  return {
    ...a,
    movingS: t,
    elapsedS: Math.max(t, a.elapsedS - strides.removedS),
    distanceM: d,
    avgSpeedMps: d / t,
    avgHr: avgHr === null ? null : Math.round(avgHr),
    laps: coreLaps,
    samples: samples ?? a.samples,
  };
}

function withoutSpans(s: Samples, spans: Array<[number, number]>): Samples {
  const keep = s.offsetS.map((t) => !spans.some(([from, to]) => t >= from && t < to));
  return {
    offsetS: s.offsetS.filter((_, i) => keep[i]),
    hr: s.hr.filter((_, i) => keep[i]),
    speedMps: s.speedMps.filter((_, i) => keep[i]),
  };
}

/** Only for runs: strength and everything else are answered by classifyActivity. */
function classifyRun(a: Activity, ctx: ClassifyContext): Classification {
  const baseline = ctx.baseline ?? null;
  // The athlete's zones or max HR as the service knows them, else what the file carries.
  const limits = hrLimits(ctx) ?? limitsFromActivity(a);
  const label = labelFinding(a);
  const { finding: structure, strides, coreLaps } = readLaps(a, baseline?.easySpeedMps ?? null);
  // Strides and their recoveries are not the run: its pace, HR and length are judged without them.
  const core = strides ? withoutStrides(a, strides, coreLaps) : a;
  const structureFinding: Finding | null = structure
    ? {
        signal: "structure",
        verdict: "quality",
        subtype: structure.subtype,
        strength: structure.strength,
        reasons: [structure.reason],
      }
    : null;
  const inten = intensity(core, limits, baseline, speedOf(core));
  const dur = durationFinding(core, baseline);
  const name = nameFinding(a);
  const findings = [label, structureFinding, inten.finding, dur, name.finding].filter(
    (f): f is Finding => f !== null,
  );
  const quality = findings.filter((f) => f.verdict === "quality");
  const easy = findings.filter((f) => f.verdict === "easy");
  const notes = [...inten.notes, ...(name.note ? [name.note] : [])];

  if (ctx.override) {
    const agreeing = findings.filter((f) => f.verdict === ctx.override);
    const subtype: RunSubtype =
      ctx.override === "quality"
        ? (quality[0]?.subtype ?? "workout")
        : easy.some((f) => f.subtype === "recovery")
          ? "recovery"
          : "easy";
    return {
      kind: ctx.override,
      subtype,
      confidence: 0.99,
      reasons: [
        `You marked this run as ${ctx.override} yourself, which overrides everything else.`,
        ...agreeing.flatMap((f) => f.reasons),
      ],
    };
  }

  // A heart rate judged against no number of the athlete's own never pre-empts firmer
  // evidence further down the order (a two-hour run at 168 bpm is decided by its length).
  const decisive = quality.filter((f) => f.strength >= DECISIVE);
  const decider = decisive.find((f) => !f.weak) ?? decisive[0];
  if (decider) {
    let subtype = decider.subtype;
    // The source's "workout" says hard, the laps say what kind of hard.
    if (decider.signal === "label" && subtype === "workout" && structureFinding)
      subtype = structureFinding.subtype;
    // A two-hour run at a steady, raised heart rate is a long run, not a tempo.
    if (decider.signal === "intensity" && dur && !structureFinding) subtype = "long";
    const others = quality.filter((f) => f !== decider);
    // HR judged against no number of the athlete's own adds less than evidence that was.
    let confidence = decider.strength + others.reduce((c, f) => c + (f.weak ? 0.02 : 0.04), 0);
    const reasons = [...decider.reasons, ...others.flatMap((f) => f.reasons)];
    // Strong evidence of an easy effort against a label: the label wins by DESIGN's
    // order, but the athlete sees the doubt (e.g. a race run slowly with a child).
    // A long run is meant to be easy, so an easy effort does not argue against it.
    const contrary =
      subtype === "long" ? [] : easy.filter((f) => f.signal === "intensity" || f.signal === "name");
    if (contrary.length) {
      const effortEasy = inten.hrEasy && (inten.paceSlow || !inten.paceKnown) && inten.hrKnown;
      const paceOnly = !inten.hrKnown && inten.paceSlow;
      const penalty = effortEasy || paceOnly ? 0.35 : 0.12;
      confidence -= penalty;
      const contraryReasons = contrary.flatMap((f) => f.reasons);
      reasons.push(
        effortEasy || paceOnly
          ? `But the effort looks easy: ${contraryReasons.join(" ")} The ${signalWords(decider.signal)} still decides.`
          : `Against it: ${contraryReasons.join(" ")}`,
      );
    }
    // A weak name hint that agrees adds nothing worth reading; intensity's notes still do.
    return { kind: "quality", subtype, confidence: clamp(confidence), reasons: [...reasons, ...inten.notes] };
  }

  // Nothing decided quality: an easy run, as sure as the evidence that could have said otherwise.
  const reasons = easy.flatMap((f) => f.reasons);
  let confidence: number;
  const hasLaps = a.laps.length >= 3;
  if (inten.hrKnown && inten.paceKnown) confidence = 0.85;
  else if (inten.hrKnown) confidence = 0.75;
  else if (inten.effortKnown && easy.some((f) => f.signal === "intensity")) confidence = 0.7;
  else if (inten.paceKnown) confidence = 0.65;
  else confidence = 0.45;
  if (hasLaps) confidence += 0.03;
  if (easy.some((f) => f.signal === "name")) confidence += 0.05;
  // Every doubt said aloud (a vague name word, HR and pace at odds) costs confidence.
  confidence -= 0.1 * notes.length;
  if (!inten.hrKnown && !inten.paceKnown && !inten.effortKnown) {
    reasons.push(thinEvidence(a, limits, baseline, hasLaps));
  } else if (reasons.length === 0) {
    reasons.push("No label, lap structure, intensity, length or name marks it as a quality session.");
  }
  if (strides) reasons.push(strides.reason);
  reasons.push(...notes);
  const recovery = easy.some((f) => f.subtype === "recovery") && (a.movingS || a.elapsedS) < 60 * 60;
  return { kind: "easy", subtype: recovery ? "recovery" : "easy", confidence: clamp(confidence), reasons };
}

function signalWords(s: Signal): string {
  return {
    override: "your override",
    label: "label",
    structure: "lap structure",
    intensity: "intensity",
    duration: "length",
    name: "name",
  }[s];
}

function thinEvidence(
  a: Activity,
  limits: HrLimits | null,
  baseline: RunBaseline | null,
  hasLaps: boolean,
): string {
  const missing: string[] = [];
  if (a.avgHr === null) missing.push("no heart rate");
  else if (!limits && baseline?.easyHr == null)
    missing.push("no HR zones or max HR to judge its heart rate against");
  if (!hasLaps) missing.push("no laps");
  if (!baseline?.easySpeedMps) missing.push("no recent runs to compare its pace with");
  const t = a.movingS || a.elapsedS;
  const what = `A ${duration(t)} run${speedOf(a) ? ` at ${pace(speedOf(a) as number)}` : ""}`;
  return `${what} with little to go on (${missing.join(", ")}): it reads as easy only because nothing points to a hard session.`;
}

export function classifyActivity(activity: Activity, ctx: ClassifyContext): Classification {
  if (activity.sport === "strength") {
    return {
      kind: "strength",
      subtype: null,
      confidence: 0.95,
      reasons: [`${sourceName(activity)} records it as strength training (${activity.sportType}).`],
    };
  }
  if (activity.sport !== "run") {
    return {
      kind: "other",
      subtype: null,
      confidence: 0.95,
      reasons: [`${activity.sportType} is not a run, so it makes a day neither easy nor quality.`],
    };
  }
  return classifyRun(activity, ctx);
}

function sourceName(a: Activity): string {
  return { strava: "Strava", garmin: "Garmin", fit: "The file", manual: "The entry" }[a.source];
}
