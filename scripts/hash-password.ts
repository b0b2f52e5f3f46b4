// Prints a LOCAL_USERS entry's password hash: `npx tsx scripts/hash-password.ts` (reads stdin).
import { createInterface } from 'node:readline';
import { hashPassword } from '../lib/auth/local-users';

const rl = createInterface({ input: process.stdin, output: process.stderr });
rl.question('Password: ', (password) => {
  rl.close();
  console.log(hashPassword(password.trim()));
});
