/**
 * One chart of a report page with its heading and caption. Every kind of results (load now,
 * revocation later) turns into a list of these, and the page lays them out alike.
 */
export interface Figure {
  /** Unique on the page; also the anchor. */
  id: string;
  title: string;
  /** How to read it: what the marks are, the unit, which way is better. */
  caption: string;
  svg: string;
}
