// The QR seal check of the verification page, in the citizen's own browser.
//
// The seal (after '#') is a COSE_Sign1 (RFC 9052), ES256, written as one decimal number
// (esign/seal/encoding.py): digits -> BigInt -> hex -> bytes. Its protected header is
// {1: -7, 4: kid}; the signature (r||s, 64 bytes, as WebCrypto takes it) covers
// ["Signature1", protected, token, payload] (esign/seal/cose.py), the token being the URL's.
// The key comes from the ward's published JWK Set; a withdrawn or unknown key fails. A genuine
// seal must then state exactly what the server's record says (page-data "record", seal field
// number -> value, bytes as hex). Without WebCrypto (plain http on a LAN address) the page asks
// the server to check the seal instead, and says so. No innerHTML anywhere: text only.
// The script also hands the seal to a receipt's download form (below).
"use strict";

(() => {
  const MAX_DIGITS = 1200;

  // Language links keep the seal, which lives only in the fragment.
  if (location.hash) {
    for (const a of document.querySelectorAll("a[data-keep-hash]")) {
      a.href = a.getAttribute("href") + location.hash;
    }
  }

  // A receipt's PDF is served only against its seal (POST /v/<token>/pdf): the seal is in the
  // fragment, which the browser never sends by itself, so the script hands it to the form and
  // shows the button only when there is one. No script, no seal, no download.
  // The XML original of a receipt (from 1/7/2026) is offered the same way, beside the PDF.
  const offerDownload = () => {
    for (const [formId, fieldId] of [
      ["download-form", "download-seal"],
      ["download-xml-form", "download-xml-seal"],
    ]) {
      const form = document.getElementById(formId);
      const field = document.getElementById(fieldId);
      if (!form || !field) continue;
      const seal = location.hash.slice(1);
      field.value = /^[0-9]+$/.test(seal) ? seal : "";
      form.hidden = !field.value;
    }
  };
  offerDownload();
  window.addEventListener("hashchange", offerDownload);

  const dataNode = document.getElementById("page-data");
  const box = document.getElementById("seal-check");
  if (!dataNode || !box) return;
  const page = JSON.parse(dataNode.textContent);
  const M = page.messages;

  class SealFailure extends Error {
    constructor(reason) {
      super(reason);
      this.reason = reason;
    }
  }
  const malformed = () => new SealFailure("malformed");

  const show = (state, text, note) => {
    box.dataset.state = state;
    document.getElementById("seal-text").textContent = text;
    document.getElementById("seal-note").textContent = note || "";
    if (state === "bad") {
      document.getElementById("seal-warning").hidden = false;
      // The record may be in force, but the paper in the citizen's hand is not what it states.
      document.getElementById("verdict").dataset.demoted = "true";
    }
  };

  // --- decimal text -> bytes --------------------------------------------------------------
  const digitsToBytes = (text) => {
    if (text.length > MAX_DIGITS || !/^[1-9][0-9]*$/.test(text)) throw malformed();
    let hex = BigInt(text).toString(16);
    if (hex.length % 2) hex = "0" + hex;
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
    return out;
  };

  // --- a small strict CBOR reader: definite lengths, no floats, depth <= 4 ------------------
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const readItem = (buf, start, depth) => {
    let pos = start;
    const need = (n) => {
      if (pos + n > buf.length) throw malformed();
    };
    need(1);
    const initial = buf[pos++];
    const major = initial >> 5;
    const info = initial & 31;
    let n;
    if (info < 24) {
      n = info;
    } else if (info <= 27) {
      const size = 1 << (info - 24);
      need(size);
      let big = 0n;
      for (let i = 0; i < size; i++) big = (big << 8n) | BigInt(buf[pos++]);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed();
      n = Number(big);
    } else {
      throw malformed(); // indefinite lengths and reserved values: not in a seal
    }
    switch (major) {
      case 0:
        return [n, pos];
      case 1:
        return [-1 - n, pos];
      case 2:
        need(n);
        return [buf.slice(pos, pos + n), pos + n];
      case 3:
        need(n);
        return [utf8.decode(buf.slice(pos, pos + n)), pos + n];
      case 4: {
        if (depth >= 4 || n > buf.length) throw malformed();
        const items = [];
        for (let i = 0; i < n; i++) {
          const [item, next] = readItem(buf, pos, depth + 1);
          items.push(item);
          pos = next;
        }
        return [items, pos];
      }
      case 5: {
        if (depth >= 4 || n > buf.length) throw malformed();
        const map = new Map();
        for (let i = 0; i < n; i++) {
          const [key, afterKey] = readItem(buf, pos, depth + 1);
          if (typeof key !== "number" || map.has(key)) throw malformed();
          const [value, next] = readItem(buf, afterKey, depth + 1);
          map.set(key, value);
          pos = next;
        }
        return [map, pos];
      }
      case 6: {
        if (depth >= 4) throw malformed();
        const [value, next] = readItem(buf, pos, depth + 1);
        return [{ tag: n, value }, next];
      }
      default:
        throw malformed();
    }
  };
  const decodeOne = (bytes) => {
    const [value, end] = readItem(bytes, 0, 0);
    if (end !== bytes.length) throw malformed();
    return value;
  };

  // --- CBOR writing, just what Sig_structure needs ------------------------------------------
  const head = (major, n) => {
    const m = major << 5;
    if (n < 24) return [m | n];
    if (n < 0x100) return [m | 24, n];
    if (n < 0x10000) return [m | 25, n >> 8, n & 255];
    return [m | 26, (n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
  };
  const bstr = (bytes) => [...head(2, bytes.length), ...bytes];
  const tstr = (text) => {
    const bytes = new TextEncoder().encode(text);
    return [...head(3, bytes.length), ...bytes];
  };
  const sigStructure = (protectedBytes, aad, payload) =>
    Uint8Array.from([
      ...head(4, 4),
      ...tstr("Signature1"),
      ...bstr(protectedBytes),
      ...bstr(aad),
      ...bstr(payload),
    ]);

  const b64url = (bytes) =>
    btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

  const parseSeal = (text) => {
    const msg = decodeOne(digitsToBytes(text));
    if (!msg || msg.tag !== 18 || !Array.isArray(msg.value) || msg.value.length !== 4) {
      throw malformed();
    }
    const [prot, unprotected, payload, signature] = msg.value;
    const isBytes = (x) => x instanceof Uint8Array;
    if (!isBytes(prot) || !isBytes(payload) || !isBytes(signature) || signature.length !== 64) {
      throw malformed();
    }
    if (!(unprotected instanceof Map) || unprotected.size !== 0) throw malformed();
    const header = decodeOne(prot);
    if (!(header instanceof Map) || header.size !== 2 || header.get(1) !== -7) throw malformed();
    const kid = header.get(4);
    if (!isBytes(kid) || kid.length < 1 || kid.length > 16) throw malformed();
    return { prot, payload, signature, kid: b64url(kid) };
  };

  const mismatches = (payload) => {
    const claims = decodeOne(payload);
    if (!(claims instanceof Map)) throw new SealFailure("mismatch");
    const stated = {};
    for (const [key, value] of claims) {
      stated[String(key)] = value instanceof Uint8Array ? hex(value) : value;
    }
    const skip = new Set(page.unchecked.map(String));
    const keys = new Set([...Object.keys(stated), ...Object.keys(page.record)]);
    return [...keys].filter((k) => !skip.has(k) && stated[k] !== page.record[k]);
  };

  const loadKeys = async () => {
    const response = await fetch(page.keys_url, { credentials: "omit" });
    if (!response.ok) throw new SealFailure("keys");
    const set = await response.json();
    if (!set || !Array.isArray(set.keys)) throw new SealFailure("keys");
    return set.keys;
  };

  const checkInBrowser = async (text) => {
    let seal;
    try {
      seal = parseSeal(text);
    } catch (e) {
      throw e instanceof SealFailure ? e : malformed();
    }
    let keys;
    try {
      keys = await loadKeys();
    } catch (e) {
      throw e instanceof SealFailure ? e : new SealFailure("keys");
    }
    const jwk = keys.find((k) => k && k.kid === seal.kid && k.kty === "EC" && k.crv === "P-256");
    if (!jwk || (jwk.status !== "active" && jwk.status !== "retired")) {
      throw new SealFailure(jwk && jwk.status === "withdrawn" ? "withdrawn_key" : "unknown_key");
    }
    let key;
    try {
      key = await crypto.subtle.importKey(
        "jwk",
        { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, ext: true },
        { name: "ECDSA", namedCurve: "P-256" },
        false,
        ["verify"],
      );
    } catch (e) {
      throw new SealFailure("keys");
    }
    const signed = sigStructure(seal.prot, new TextEncoder().encode(page.token), seal.payload);
    const ok = await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      seal.signature,
      signed,
    );
    if (!ok) throw new SealFailure("bad_signature");
    let differ;
    try {
      differ = mismatches(seal.payload);
    } catch (e) {
      throw new SealFailure("mismatch");
    }
    if (differ.length) throw new SealFailure("mismatch");
    return { kid: seal.kid, status: jwk.status };
  };

  const keyNote = (kid, status) =>
    `${M["seal.key"]}: ${kid}` + (status === "retired" ? ` ${M["seal.key.retired"]}` : "");

  const reasonText = (reason) => M[`seal.reason.${reason}`] || M["seal.reason.malformed"];

  const lines = (...parts) => parts.filter(Boolean).join("\n");

  const genuine = (how, kid, status) =>
    show("genuine", M["seal.genuine"], lines(how, keyNote(kid, status), page.state_note));

  const notGenuine = (how, reason) =>
    show("bad", M["seal.not_genuine"], lines(`${M["seal.reason"]}: ${reasonText(reason)}.`, how));

  const checkOnServer = async (text) => {
    let answer;
    try {
      const response = await fetch(page.check_url, {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ seal: text }),
      });
      if (!response.ok) throw new Error(String(response.status));
      answer = await response.json();
    } catch (e) {
      show("error", M["seal.error"], lines(`${M["seal.reason"]}: ${reasonText("server")}.`));
      return;
    }
    if (answer.genuine) {
      genuine(M["seal.server_checked"], answer.kid, answer.key_status);
    } else {
      notGenuine(M["seal.server_checked"], answer.verdict);
    }
  };

  const run = async () => {
    const text = location.hash.slice(1);
    if (!text) {
      show("absent", M["seal.absent"]);
      return;
    }
    if (!(window.isSecureContext && window.crypto && window.crypto.subtle)) {
      await checkOnServer(text);
      return;
    }
    try {
      const { kid, status } = await checkInBrowser(text);
      genuine(M["seal.browser_checked"], kid, status);
    } catch (e) {
      if (e instanceof SealFailure && e.reason === "keys") {
        show("error", M["seal.error"], reasonText("keys"));
      } else if (e instanceof SealFailure) {
        notGenuine(M["seal.browser_checked"], e.reason);
      } else {
        show("error", M["seal.error"], String(e && e.message ? e.message : e));
      }
    }
  };

  run();
  // A seal typed or pasted into the address bar changes only the fragment: check it again.
  window.addEventListener("hashchange", () => {
    box.dataset.state = "checking";
    document.getElementById("seal-warning").hidden = true;
    delete document.getElementById("verdict").dataset.demoted;
    run();
  });
})();
