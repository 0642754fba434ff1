"""The daily digest: `compose` gathers the data, `render` turns it into email HTML/text and a chart,
`send` delivers it by SMTP exactly once per date (or writes an `.eml`)."""
