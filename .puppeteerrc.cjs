// Puppeteer comes in with @mermaid-js/mermaid-cli (the diagram check, test/docs/mermaid-render.test.ts).
// Its install script would download Chrome from the internet, which CI cannot reach: the check uses
// Debian's chromium instead (.ci/run installs it), so the download is skipped.
module.exports = { skipDownload: true };
