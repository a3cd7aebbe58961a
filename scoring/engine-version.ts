/**
 * The shape of `MatchState` this engine produces. Bumped whenever a state written by an older
 * engine would read wrong under this one (a field added or its meaning changed), so stored
 * snapshots and published patches from before are recomputed rather than trusted.
 * 2: umpire-counted overs (`countedBalls`, an over's `complete`).
 * 3: substitute fielders (`{substitute: true, name?}` in a dismissal's fielders, "c sub (Name)" in howOut);
 *    an innings' `absentHurt`, `oversLimit` and `targetUnknown`.
 */
export const ENGINE_VERSION = 3;
