/**
 * Money beside replica-hours: a setting's simulated replica-hours times the replica's price, and the
 * cost of idle capacity — the minReplicas floor paid for while the fleet sits on it (the profile's
 * quiet time). Pure: the price comes resolved from the spec (src/spec/resolve.ts).
 */
import type { CostSpec } from '../spec/types.js';
import type { Proof, SimulationPoint } from './prove.js';

export interface SettingCost {
  replicaHours: number;
  amount: number;
}

export interface IdleCost {
  /** Hours of the profile in which the fleet was at its minReplicas floor. */
  quietHours: number;
  minReplicas: number;
  /** minReplicas × price × quietHours. */
  amount: number;
}

export interface TuneCost {
  price: CostSpec;
  /** Length of the simulated profile: the amounts are for this span. */
  profileHours: number;
  chosen: SettingCost & { idle: IdleCost };
  current: SettingCost | null;
  /** The price of a million streamed output tokens from one replica running at the measured capacity
   *  (openai targets); null when the target streams no tokens. */
  perMillionOutputTokens: number | null;
}

export function costOf(replicaHours: number, price: CostSpec): SettingCost {
  return { replicaHours, amount: replicaHours * price.perReplicaHour };
}

/** The seconds of a simulated series spent at the floor, as the floor's cost. */
export function idleCostOf(series: readonly SimulationPoint[], minReplicas: number, price: CostSpec): IdleCost {
  const stepSeconds = series.length > 1 ? series[1]!.second - series[0]!.second : 1;
  const quietSeconds = series.filter((p) => p.replicas <= minReplicas).length * stepSeconds;
  const quietHours = quietSeconds / 3600;
  return { quietHours, minReplicas, amount: minReplicas * quietHours * price.perReplicaHour };
}

/** A replica-hour's price spread over the tokens one replica streams in that hour at its capacity. */
export function perMillionOutputTokens(outputTokensPerSecond: number, price: CostSpec): number | null {
  if (!(outputTokensPerSecond > 0)) return null;
  return (price.perReplicaHour / (outputTokensPerSecond * 3600)) * 1_000_000;
}

export function tuneCost(proof: Proof, price: CostSpec, outputTokensPerSecond?: number): TuneCost {
  const chosen = proof.recommended;
  return {
    price,
    profileHours: chosen.durationSeconds / 3600,
    chosen: { ...costOf(chosen.replicaHours, price), idle: idleCostOf(chosen.series, proof.chosen.settings.minReplicas, price) },
    current: proof.current ? costOf(proof.current.replicaHours, price) : null,
    perMillionOutputTokens: outputTokensPerSecond === undefined ? null : perMillionOutputTokens(outputTokensPerSecond, price),
  };
}

/** "12.30 USD" — two decimals, or more for small amounts so a cheap setting does not read as 0.00. */
export function formatMoney(amount: number, currency: string): string {
  const digits = amount !== 0 && Math.abs(amount) < 0.1 ? 4 : 2;
  return `${amount.toFixed(digits)} ${currency}`;
}
