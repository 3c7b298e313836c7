import { revalidateTag } from 'next/cache';

export async function POST() {
  revalidateTag('news', 'max');
  return Response.json({ revalidated: 'news' });
}
