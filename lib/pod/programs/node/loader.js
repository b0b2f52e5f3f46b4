/*
 * Loads a program sent on stdin ahead of its input: `<byte length> <nonce>\n<program><input>`.
 * An exec's argv travels in its URL, and an API server, or a proxy in front of it, may refuse a
 * request line over 8 or 16 KB: the listing and transfer programs are larger than that once
 * encoded. This loader is small enough for argv (this comment is left out when it is sent); the
 * program runs as a function body with `require`, `input` (the rest of stdin, as text) and
 * `nonce` (for its frames), argv as with `node -e`. Compiled by vm as `-e` is, so an image
 * whose NODE_OPTIONS forbid eval and new Function still runs it.
 */
"use strict";const d=require("fs").readFileSync(0),n=d.indexOf(10),h=d.toString("latin1",0,n).split(" "),s=n+1+Number(h[0]);require("vm").runInThisContext("(function(require,input,nonce){"+d.toString("utf8",n+1,s)+"\n})",{filename:"openab-program"})(require,d.toString("utf8",s),h[1]||"");
