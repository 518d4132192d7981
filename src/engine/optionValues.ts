import { METHOD_INFO, paramNamed, paramSymbol } from './distill/catalog';
import { MODEL_PRESETS } from './models/architectures';
import { type MethodChoice, type ParamSweep } from './types';

/**
 * How an option's value is written and read (URL and command line alike): plain numbers, whole numbers in
 * a range, named choices, 0/1 switches, and the lists of the sweep, per-method λ and hyper-parameter
 * options — each parser returns the value or a message saying why the text cannot be used.
 */

export const problem = (p: string) => ({ problem: p });

/** A text quoted in a message, cut to its start when long (a 3,000-value list is not echoed whole). */
export const shown = (text: string) =>
  text.length <= 80 ? `"${text}"` : `"${text.slice(0, 60)}…" (${text.length.toLocaleString('en-US')} characters)`;
export const isProblem = (v: unknown): v is { problem: string } =>
  typeof v === 'object' && v !== null && 'problem' in v && Object.keys(v).length === 1;

/** Whole numbers written plainly: "-0", "1e3", "0x10" or " 5" are refused, not read as something else. */
export function integer(min: number, max: number) {
  return (text: string) => {
    const v = Number(text);
    return /^(0|-?[1-9][0-9]*)$/.test(text) && v >= min && v <= max
      ? v
      : problem(`must be a whole number from ${min} to ${max} (got ${shown(text)})`);
  };
}

/** The number a text writes plainly ("2", "0.5", "1e-3"; "-0" is 0); NaN for "", " 2", "0x10", "Infinity". */
export function plainNumber(text: string): number {
  return /^-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?$/i.test(text) ? Number(text) + 0 : NaN;
}

/** A number in [min, max] written plainly (no empty text, no hex, no Infinity). */
export function decimal(min: number, max: number) {
  return (text: string) => {
    const v = Number(text);
    return /^-?[0-9]+(\.[0-9]+)?(e-?[0-9]+)?$/i.test(text) && !Object.is(v, -0) && v >= min && v <= max
      ? v
      : problem(`must be a number from ${min} to ${max} (got ${shown(text)})`);
  };
}

/**
 * "kd.T=1,2,4,8;dkd.beta=4,8": each part one method's hyper-parameter (by key or symbol) and its
 * values. The method must exist and have the parameter; ranges are checked with the plan.
 */
export function parseSweeps(text: string): ParamSweep[] | { problem: string } {
  const sweeps: ParamSweep[] = [];
  for (const part of parts(text)) {
    const named = methodParam(part, 'v1,v2 (e.g. kd.T=1,2,4,8)');
    if (isProblem(named)) return named;
    const { def, p, name, value: list } = named;
    const values = list.split(',').map((x) => plainNumber(x.trim()));
    if (values.some((v) => !Number.isFinite(v) || v < p.min || v > p.max))
      return problem(`${def.id}.${name} takes numbers from ${p.min} to ${p.max} (got ${shown(list)})`);
    if (p.integer && values.some((v) => !Number.isInteger(v)))
      return problem(`${def.id}.${name} takes whole numbers (got ${shown(list)})`);
    sweeps.push({ method: def.id, param: p.key, values });
  }
  if (!sweeps.length) return problem('is empty; give method.param=v1,v2 (e.g. kd.T=1,2,4,8)');
  return sweeps;
}

export interface MethodLambdas {
  method: MethodChoice['id'];
  lambdas: number[];
}

/** "rkd=0,2,4;dkd=0,4": a method's own λ values (each 0–LAMBDA_MAX), each method once. */
export function parseMethodLambdas(text: string): MethodLambdas[] | { problem: string } {
  const out: MethodLambdas[] = [];
  for (const part of parts(text)) {
    const m = /^([a-z]+)=(.+)$/.exec(part);
    if (!m) return problem(`must read method=λ1,λ2 (e.g. rkd=0,2,4); got ${shown(part)}`);
    const [, id, list] = m;
    if (!(METHOD_IDS as string[]).includes(id))
      return problem(`names an unknown method "${id}" (known: ${METHOD_IDS.join(', ')})`);
    if (out.some((x) => x.method === id)) return problem(`gives ${id} its λ values twice`);
    const values = list.split(',').map((x) => plainNumber(x.trim()));
    if (values.some((v) => !(Number.isFinite(v) && v >= 0 && v <= LAMBDA_MAX)))
      return problem(`${id} takes λ values from 0 to ${LAMBDA_MAX} (got ${shown(list)})`);
    out.push({ method: id as MethodChoice['id'], lambdas: values });
  }
  if (!out.length) return problem('is empty; give method=λ1,λ2 (e.g. rkd=0,2,4)');
  return out;
}

/** The ;-separated parts of a text, trimmed, empty ones dropped. */
export const parts = (text: string) =>
  text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean);

/** "kd.T=…": the method and its hyper-parameter (by key or symbol), and the text after "=". */
export function methodParam(part: string, shape: string) {
  const m = /^([a-z]+)\.([A-Za-z]+)=(.+)$/.exec(part);
  if (!m) return problem(`must read method.param=${shape}; got ${shown(part)}`);
  const [, id, name, value] = m;
  const def = METHOD_INFO.find((d) => d.id === id && id !== 'none');
  if (!def) return problem(`names an unknown method "${id}" (known: ${METHOD_IDS.join(', ')})`);
  const p = paramNamed(def, name);
  if (!p)
    return problem(`names no hyper-parameter of ${id} ("${name}"; it has ${def.params.map(paramSymbol).join(', ')})`);
  return { def, p, name, value };
}

export const METHOD_IDS = METHOD_INFO.filter((m) => m.id !== 'none').map((m) => m.id);
export const MODEL_IDS = MODEL_PRESETS.map((m) => m.id);

export interface ParamValue {
  method: MethodChoice['id'];
  param: string;
  value: number;
}

/** "kd.T=2;dkd.beta=4": one value per method's hyper-parameter (by key or symbol), each in its range. */
export function parseParams(text: string): ParamValue[] | { problem: string } {
  const out: ParamValue[] = [];
  for (const part of parts(text)) {
    const named = methodParam(part, 'value (e.g. kd.T=2)');
    if (isProblem(named)) return named;
    const { def, p, name } = named;
    const value = plainNumber(named.value.trim());
    if (!(Number.isFinite(value) && value >= p.min && value <= p.max))
      return problem(`${def.id}.${name} takes a number from ${p.min} to ${p.max} (got ${shown(named.value)})`);
    if (p.integer && !Number.isInteger(value))
      return problem(`${def.id}.${name} takes a whole number (got ${shown(named.value)})`);
    if (out.some((o) => o.method === def.id && o.param === p.key))
      return problem(`gives ${def.id}.${name} twice; give each hyper-parameter once`);
    out.push({ method: def.id, param: p.key, value });
  }
  return out;
}

export function oneOf<T extends string>(values: readonly T[]) {
  return (text: string) =>
    (values as readonly string[]).includes(text) ? (text as T) : problem(`must be one of ${values.join(', ')}`);
}

/** A switch written as 0 or 1 (URL and CLI alike). */
export const zeroOrOne = {
  parse: (text: string) => (text === '0' ? false : text === '1' ? true : problem('must be 0 or 1')),
  format: (v: boolean) => (v ? '1' : '0'),
};

/** λ values above this are refused (the adversary's pull would swamp every other term). */
export const LAMBDA_MAX = 100;
