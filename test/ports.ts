// TCP ports for tests that listen on 127.0.0.1 in the host's network namespace. Ports made from
// the test's pid collided: tap runs two files at once, their pids are adjacent, and two files
// that each used pid-based PORT and PORT+1 shared one (a service then failed to bind and went
// inactive). The kernel hands out ports no socket holds; all n are held together, so they differ.
import { createServer, type Server } from 'node:net';

export async function freeTcpPorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((s) => {
      const address = s.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}
