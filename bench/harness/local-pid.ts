import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { networkInterfaces } from "node:os";

/** Whether a URL's host is this machine: loopback, or one of its interfaces' addresses. */
function isLocal(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host === "::1" || host.startsWith("127.")) return true;
  return Object.values(networkInterfaces()).some((addresses) =>
    (addresses ?? []).some((address) => address.address === host),
  );
}

/** Inodes of the sockets listening on `port`, from /proc/net/tcp and tcp6. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [, local, , state, , , , , , inode] = fields;
      // State 0A is LISTEN; the local address ends in the port, in hex.
      if (state === "0A" && local && Number.parseInt(local.split(":")[1] ?? "", 16) === port) {
        if (inode) inodes.add(inode);
      }
    }
  }
  return inodes;
}

/**
 * The process listening on a URL's port on this machine, found through /proc (Linux): a target
 * started by hand on this machine, whose CPU can then be read and which is not "other load".
 * Null when the host is another machine's, or the process is not this user's to see.
 */
export function localPidOf(url: string): number | null {
  const { hostname, port, protocol } = new URL(url);
  if (!isLocal(hostname)) return null;
  const inodes = listeningInodes(Number(port || (protocol === "https:" ? 443 : 80)));
  if (inodes.size === 0) return null;
  let pids: string[] = [];
  try {
    pids = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (link.startsWith("socket:[") && inodes.has(link.slice(8, -1))) return Number(pid);
      } catch {
        // The descriptor closed while being read.
      }
    }
  }
  return null;
}
