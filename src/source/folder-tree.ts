/**
 * The order album folders are created in, and how a batch of them finds its parents. Pure: any worker gets the
 * same order from the same listing, which is what lets folder creation resume at an index after a crash or a
 * continue-as-new.
 *
 * The order is pre-order (every folder comes right after its parent or its parent's earlier subtrees), with
 * siblings in the order the listing first uses them. Pre-order means the parent of the next folder is always
 * on the chain of ancestors of the folder made before it — so a batch needs only that chain (at most MAX_DEPTH
 * links), never a map of the whole tree. First use means a listing that goes album by album needs, for each
 * page of files, only the folders up to about that page: photos can start while later albums are still made.
 */

interface TreeNode {
  children: Map<string, TreeNode>;
}

/** Every folder path (segments joined by "/") in creation order, from each file's folder segments in listing order. */
export function preorderFolders(fileFolders: Iterable<readonly string[]>): string[] {
  const root: TreeNode = { children: new Map() };
  for (const segments of fileFolders) {
    let node = root;
    for (const segment of segments) {
      let child = node.children.get(segment);
      if (!child) node.children.set(segment, (child = { children: new Map() }));
      node = child;
    }
  }
  const order: string[] = [];
  const visit = (node: TreeNode, prefix: string) => {
    for (const [name, child] of node.children) {
      const path = prefix === '' ? name : `${prefix}/${name}`;
      order.push(path);
      visit(child, path);
    }
  };
  visit(root, '');
  return order;
}

/** A folder already made, by its index in creation order, with the destination's reference to it. */
export interface ChainLink {
  index: number;
  ref: string;
}

/**
 * Where folder `index` goes: its parent's link (null for the gallery folder) taken from `chain`, the ancestors
 * of the folder made before it; and the chain once it is made (call `extend`). Throws when the folders are not
 * in pre-order, which would be a bug, not a state to guess through.
 */
export function placeInChain(chain: readonly ChainLink[], folders: readonly string[], index: number): { parent: ChainLink | null; extend(ref: string): ChainLink[] } {
  const path = folders[index];
  if (path === undefined) throw new Error(`no folder ${index} in the plan (${folders.length} folders)`);
  const depth = path.split('/').length;
  const parentPath = path.slice(0, Math.max(0, path.lastIndexOf('/')));
  const parent = depth === 1 ? null : chain[depth - 2];
  if (parent === undefined || (parent !== null && folders[parent.index] !== parentPath)) {
    throw new Error(`folder ${index} ("${path}") does not follow its parent in the creation order`);
  }
  const kept = chain.slice(0, depth - 1);
  return { parent, extend: (ref) => [...kept, { index, ref }] };
}
