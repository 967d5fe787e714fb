import type { Role } from "./store/store.js";

export const VISIBILITIES = ["public", "admin"] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export interface Item {
  id: number;
  name: string;
  description: string;
  visibility: Visibility;
  created_by: string;
}

export interface NewItem {
  name: string;
  description?: string;
  visibility?: Visibility;
}

const SEED: readonly Omit<Item, "id">[] = [
  {
    name: "Keyboard",
    description: "Mechanical, 87 keys",
    visibility: "public",
    created_by: "system",
  },
  { name: "Monitor", description: "27 inch, 1440p", visibility: "public", created_by: "system" },
  { name: "Laptop", description: "14 inch, 16 GiB", visibility: "public", created_by: "system" },
  {
    name: "Payroll export",
    description: "Quarterly figures",
    visibility: "admin",
    created_by: "system",
  },
  { name: "Audit log", description: "Access records", visibility: "admin", created_by: "system" },
];

export interface Catalog {
  /** Admins see every item; everyone else sees the public ones. */
  list(role: Role): readonly Item[];
  add(item: NewItem, createdBy: string): Item;
}

/**
 * Items live in process memory and are bounded, so a write-heavy benchmark cannot grow the
 * GET /items/ response without limit and turn an auth measurement into a serialisation one.
 */
export function createCatalog(maxItems = 50): Catalog {
  let nextId = 1;
  const items: Item[] = SEED.map((item) => ({ ...item, id: nextId++ }));
  const viewsOf = () => ({
    admin: items.slice(),
    user: items.filter((item) => item.visibility === "public"),
  });
  let views = viewsOf();
  return {
    list: (role) => views[role],
    add: (input, createdBy) => {
      const item: Item = {
        id: nextId++,
        name: input.name,
        description: input.description ?? "",
        visibility: input.visibility ?? "public",
        created_by: createdBy,
      };
      items.push(item);
      // The seed items stay; the oldest added item makes room.
      if (items.length > maxItems) items.splice(SEED.length, 1);
      views = viewsOf();
      return item;
    },
  };
}
