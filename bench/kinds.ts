import { abKind } from "./ab/index.js";
import { loadKind } from "./load/index.js";
import { mapKind } from "./map/index.js";
import { microKind } from "./micro/index.js";
import type { AnyKind } from "./report/read.js";
import { revocationKind } from "./revocation/index.js";

/** Every kind of results the tool writes and reads again; `npm run report` renders any of them. */
export const KINDS: readonly AnyKind[] = [loadKind, revocationKind, microKind, mapKind, abKind];
