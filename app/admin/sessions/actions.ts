'use server';
import { z } from 'zod';
import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/auth/guard';
import { endAllSessionsOf } from '@/lib/auth/end-sessions';

export const endSessionsAction = defineAction(
  {
    name: 'end-sessions',
    role: 'admin',
    input: z.object({ userKey: z.string().regex(/^[a-z][a-z0-9-]{0,31}:\S{1,256}$/, 'Not a user of this dashboard.') }),
  },
  async ({ userKey }, user) => {
    const result = await endAllSessionsOf(userKey, user);
    revalidatePath('/admin/sessions');
    return result;
  },
);
