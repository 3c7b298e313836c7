// An ISR page whose data comes from a fetch tagged 'news' (the test's origin counts the fetches).
export const revalidate = 3600;

export default async function News() {
  const text = await (await fetch(`${process.env.ORIGIN}/news`, { next: { tags: ['news'] } })).text();
  return (
    <main>
      <p id="news">{text}</p>
    </main>
  );
}
