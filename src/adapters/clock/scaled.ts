import type { Clock } from '../../ports/clock.js';

/**
 * The engine's clock under `baton up --time-scale S`: engine time runs 1/S times as fast as the
 * wall clock, so every pause, analysis interval, delay and deadline the engine measures takes S
 * times as long in wall time (0.1: a 30 s pause lasts 3 s). Continuous across restarts: the
 * anchor (a wall time and the engine time it maps to) is kept by the caller, so a controller
 * restarted with the same scale keeps the same mapping and saved pause start times stay valid.
 *
 * Worked example: anchor {wall: 1000, engine: 1000}, scale 0.1; at wall 4000 the engine reads
 * 1000 + 3000 / 0.1 = 31000, and `sleepUntil(61000)` waits (61000 - 31000) * 0.1 = 3000 ms.
 */
export interface ScaledClockAnchor {
  /** Wall-clock epoch ms. */
  wall: number;
  /** The engine time at `wall`. */
  engine: number;
  scale: number;
}

export interface ScaledClock extends Clock {
  readonly anchor: ScaledClockAnchor;
  /** The wall time at which the engine clock reads `engineMs`. */
  toWall(engineMs: number): number;
}

/** The engine clock over `wall` for `anchor` (see the file comment for the arithmetic). */
export function createScaledClock(anchor: ScaledClockAnchor, wall: Clock): ScaledClock {
  if (!(anchor.scale > 0)) throw new Error(`time scale ${anchor.scale} must be above 0`);
  const toEngine = (w: number): number => anchor.engine + (w - anchor.wall) / anchor.scale;
  const toWall = (e: number): number => anchor.wall + (e - anchor.engine) * anchor.scale;
  return {
    anchor,
    toWall,
    now: () => toEngine(wall.now()),
    sleepUntil: (at, signal) => wall.sleepUntil(toWall(at), signal),
  };
}

/**
 * The anchor for a controller starting at wall time `now` with `scale`: the previous anchor when
 * the scale is unchanged; otherwise a new one at `now` that continues the previous engine time.
 */
export function nextAnchor(previous: ScaledClockAnchor | undefined, scale: number, now: number): ScaledClockAnchor {
  if (!previous) return { wall: now, engine: now, scale };
  if (previous.scale === scale) return previous;
  return { wall: now, engine: previous.engine + (now - previous.wall) / previous.scale, scale };
}
