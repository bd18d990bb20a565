/** The benchmark's baseline: the smallest possible Remix page (root layout, no data, no DB). */
export default function Baseline() {
  return <p>ok</p>;
}
