/**
 * The elements' own stylesheet, inside their shadow roots. `all: initial` on the host stops the
 * page's inherited styles (its font, colour, line height) from reaching in; selectors inside a
 * shadow root cannot reach out. Themes set private `--_*` defaults; a page overrides them with the
 * public `--crease-*` properties (README, "Embedding").
 */
export const STYLES = `
:host{all:initial;display:block;contain:content;
--_bg:#ffffff;--_fg:#14161a;--_muted:#4d5561;--_border:#d5d9e0;--_accent:#0b57d0;--_live:#0a7a2f;--_warn:#a1260d;
font:var(--crease-font-size,14px)/1.4 var(--crease-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);
color:var(--crease-fg,var(--_fg));background:var(--crease-bg,var(--_bg));
border:1px solid var(--crease-border,var(--_border));border-radius:var(--crease-radius,8px);padding:.5em .75em}
:host([hidden]){display:none}
:host([theme=dark]){--_bg:#15181d;--_fg:#f1f3f5;--_muted:#b4bcc7;--_border:#3a414c;--_accent:#8ab4f8;--_live:#5fd68a;--_warn:#ff9e80}
@media (prefers-color-scheme:dark){:host(:not([theme=light])){--_bg:#15181d;--_fg:#f1f3f5;--_muted:#b4bcc7;--_border:#3a414c;--_accent:#8ab4f8;--_live:#5fd68a;--_warn:#ff9e80}}
*{box-sizing:border-box;margin:0;padding:0}
a{color:var(--crease-accent,var(--_accent))}
a:focus-visible,button:focus-visible{outline:2px solid var(--crease-accent,var(--_accent));outline-offset:2px}
.row{display:flex;flex-wrap:wrap;gap:.25em .75em;align-items:baseline}
.title{font-weight:600}
.score{font-variant-numeric:tabular-nums;white-space:pre-line}
:host([layout=full]) .row:first-child{flex-direction:column;align-items:flex-start}
.muted,.fresh{color:var(--crease-muted,var(--_muted));font-size:.9em}
.fresh[data-state=live]::before{content:"";display:inline-block;width:.55em;height:.55em;border-radius:50%;background:var(--crease-live,var(--_live));margin-right:.35em}
.notice{color:var(--crease-warn,var(--_warn));font-weight:600}
button{font:inherit;color:inherit;background:transparent;border:1px solid var(--crease-border,var(--_border));border-radius:4px;padding:0 .5em;cursor:pointer}
.ticker{list-style:none;display:flex;flex-wrap:wrap;gap:.25em 1.25em}
.ticker a{text-decoration:none;color:inherit}
.ticker a:hover .score{text-decoration:underline}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;
