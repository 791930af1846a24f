/**
 * Loading the keyv adapter a store URL needs: `@keyv/sqlite` for `sqlite://`, `@keyv/redis` for
 * `redis://`. Both are optional peer dependencies of relock: a host installs the one it uses.
 *
 * Invariants:
 * - an adapter is imported only when a store URL asks for it (a host on Redis never loads the
 *   sqlite3 binding, and need not have it installed);
 * - a missing package is a `StorePackageMissingError` (a `StoreError` with operation `open`,
 *   keyed by the store URL as shown, which has no password) that says which package to install;
 *   any other failure to load it is a plain `StoreError('open')` with the loader's error as cause;
 * - the loaders can be replaced for a test (`replaceStorePackageLoader`), and given back.
 */
import { StoreError } from '../errors.js';

const loaders = {
  '@keyv/sqlite': () => import('@keyv/sqlite'),
  '@keyv/redis': () => import('@keyv/redis'),
};

/** The optional peer dependencies a store URL may need. */
export type StorePackage = keyof typeof loaders;
type Loaded<P extends StorePackage> = Awaited<ReturnType<(typeof loaders)[P]>>;

const replaced = new Map<StorePackage, () => Promise<unknown>>();

/** A store URL names a package that is not installed: install it. */
export class StorePackageMissingError extends StoreError {
  /** The npm package to install (`@keyv/sqlite`, `@keyv/redis`). */
  readonly packageName: StorePackage;

  /** `store`: the store option as shown in messages (no password). */
  constructor(packageName: StorePackage, store: string, cause: unknown) {
    super(
      'open',
      store,
      new Error(`the package ${packageName} is not installed`, { cause }),
      `store: '${store}' needs the package ${packageName}: npm install ${packageName}`,
    );
    this.packageName = packageName;
  }
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** Imports `name` for the store `store` (shown in errors; no password), or throws a typed error. */
export async function loadStorePackage<P extends StorePackage>(name: P, store: string): Promise<Loaded<P>> {
  const load = replaced.get(name) ?? loaders[name];
  try {
    return (await load()) as Loaded<P>;
  } catch (error) {
    if (isModuleNotFound(error)) throw new StorePackageMissingError(name, store, error);
    throw new StoreError(
      'open',
      store,
      error,
      `check that the package ${name} is installed and builds on this machine`,
    );
  }
}

/** For tests: loads `name` with `load` instead (e.g. one that fails as a missing package does); returns the undo. */
export function replaceStorePackageLoader(name: StorePackage, load: () => Promise<unknown>): () => void {
  replaced.set(name, load);
  return () => {
    if (replaced.get(name) === load) replaced.delete(name);
  };
}
