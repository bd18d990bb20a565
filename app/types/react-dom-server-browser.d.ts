// react-dom ships "react-dom/server.browser" without its own typings; it has the web-stream renderer.
declare module "react-dom/server.browser" {
  export { renderToReadableStream } from "react-dom/server";
}
