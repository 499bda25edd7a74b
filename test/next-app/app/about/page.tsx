/** A static page: prerendered at build time, cacheable unless a session cookie is written. */
export default function About() {
  return (
    <main>
      <h1>About</h1>
    </main>
  )
}
