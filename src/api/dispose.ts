/**
 * Symbol.dispose and Symbol.asyncDispose on Node versions before they were built in (Node 20.0 to 20.3): the
 * registry symbols Node itself uses later, so `using` and `await using` (and TypeScript's helpers for them) find
 * the same keys the classes define. Imported for its effect by every module that defines a dispose method.
 */
const symbols = Symbol as unknown as { dispose?: symbol; asyncDispose?: symbol };
symbols.dispose ??= Symbol.for('nodejs.dispose');
symbols.asyncDispose ??= Symbol.for('nodejs.asyncDispose');

export {};
