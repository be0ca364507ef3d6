// The self-check page's script. Every text from a report is set with textContent (never parsed
// as HTML); the photo stays in this page's memory (a blob URL) and is sent only to /v1/checks.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const body = document.body;
  const maxBytes = Number(body.dataset.maxBytes || 0);
  const authRequired = body.dataset.authRequired === "true";
  let lang = "zh-CN";
  let last = null; // { report, url, width, height } of the last result, redrawn on a language switch

  const say = (zh, en) => (lang === "en" ? en : zh);

  function applyLang() {
    document.documentElement.lang = lang;
    for (const el of document.querySelectorAll("[data-zh]")) {
      el.textContent = lang === "en" ? el.dataset.en : el.dataset.zh;
    }
    $("lang").textContent = lang === "en" ? "中文" : "English";
  }

  $("lang").addEventListener("click", () => {
    lang = lang === "en" ? "zh-CN" : "en";
    applyLang();
    // Messages come from the server in one language: check again in the other.
    if (last && last.blob) submit(last.blob);
  });

  function status(text) {
    $("status").textContent = text;
  }

  const VERDICT = {
    approve: ["照片合格", "Your photo passes"],
    reject: ["照片不合格", "Your photo does not pass"],
    review: ["照片需人工审核", "A person must review your photo"],
    error: ["无法读取照片", "The photo could not be read"],
  };
  const NEXT = {
    approve: ["可以提交这张照片。", "You can submit this photo."],
    reject: ["请按下列原因重新拍摄后再检查。", "Retake the photo as the reasons below say, then check again."],
    review: ["您可以提交，审核人员会查看下列项目；重新拍摄可避免等待。", "You can submit it and a reviewer will look at the items below; retaking it avoids the wait."],
    error: ["请选择另一张照片。", "Choose another photo."],
  };

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function svgEl(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  }

  function shape(region, colour, label, stacked) {
    if (!region) return null;
    const g = svgEl("g", { class: "region" });
    if (region.type === "box") {
      g.appendChild(svgEl("rect", { x: region.x, y: region.y, width: region.width, height: region.height, fill: "none", stroke: colour, "stroke-width": 4 }));
      if (label) {
        // Several codes on one box: their labels stack upwards instead of overprinting.
        const y = Math.max(region.y - 6 - 30 * (stacked || 0), 24);
        const t = svgEl("text", { x: region.x + 4, y, fill: colour, "font-size": 28, "font-family": "sans-serif" });
        t.textContent = label;
        g.appendChild(t);
      }
    } else if (region.type === "polygon" && Array.isArray(region.points)) {
      const pts = region.points.map((p) => `${p.x},${p.y}`).join(" ");
      g.appendChild(svgEl("polygon", { points: pts, fill: colour, "fill-opacity": 0.18, stroke: colour, "stroke-width": 3 }));
    }
    return g;
  }

  // Mesh indices of the eye and mouth outlines (MediaPipe face mesh topology).
  const EYES = [[33, 160, 158, 133, 153, 144], [362, 385, 387, 263, 373, 380]];
  const MOUTH = [61, 40, 37, 0, 267, 270, 291, 321, 314, 17, 84, 91];

  function outline(landmarks, indices, colour) {
    const pts = indices.map((i) => landmarks[i]).filter(Boolean).map((p) => `${p.x},${p.y}`).join(" ");
    return svgEl("polygon", { points: pts, fill: "none", stroke: colour, "stroke-width": 3, class: "feature" });
  }

  function drawOverlay(report, url, width, height) {
    const svg = $("overlay");
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.appendChild(svgEl("image", { href: url, x: 0, y: 0, width, height }));
    const face = (report.faces || [])[0];
    if (face) svg.appendChild(shape(face.region, "#2a9d4a"));
    const bad = (report.checks || []).filter((c) => c.outcome !== "pass");
    const landmarks = face && face.primary && face.primary.landmarks;
    if (landmarks) {
      if (bad.some((c) => /^(EY|GL)/.test(c.code))) EYES.forEach((e) => svg.appendChild(outline(landmarks, e, "#d22")));
      if (bad.some((c) => /^EX/.test(c.code))) svg.appendChild(outline(landmarks, MOUTH, "#d22"));
    }
    const seen = new Map();
    for (const c of bad) {
      const colour = c.outcome === "fail" ? "#d22" : "#e69b00";
      const key = c.region ? JSON.stringify(c.region) : "";
      const stacked = seen.get(key) || 0;
      seen.set(key, stacked + 1);
      const s = shape(c.region, colour, c.code, stacked);
      if (s) svg.appendChild(s);
    }
  }

  function render(report, url, width, height) {
    const v = report.verdict || "error";
    $("result").hidden = false;
    $("verdict").className = v;
    $("verdict").textContent = say(...(VERDICT[v] || VERDICT.error));
    $("next").textContent = say(...(NEXT[v] || NEXT.error));
    const list = $("reasons");
    while (list.firstChild) list.removeChild(list.firstChild);
    if (report.error) list.appendChild(el("li", "fail", report.error.message));
    const order = { fail: 0, uncertain: 1, not_assessed: 2, warn: 3 };
    const shown = (report.checks || []).filter((c) => c.outcome !== "pass").sort((a, b) => order[a.outcome] - order[b.outcome]);
    for (const c of shown) list.appendChild(el("li", c.outcome, c.message));
    if (width && height) drawOverlay(report, url, width, height);
    const crop = report.crop;
    if (crop && crop.jpeg_base64) {
      $("crop").hidden = false;
      $("cropimg").src = "data:image/jpeg;base64," + crop.jpeg_base64;
      $("cropnote").textContent = crop.message;
    } else if (crop && crop.message) {
      $("crop").hidden = false;
      $("cropimg").removeAttribute("src");
      $("cropnote").textContent = crop.message;
    } else {
      $("crop").hidden = true;
    }
  }

  async function submit(blob) {
    if (authRequired) {
      status(say("此服务需要授权令牌，无法从本页面检查。", "This server requires a token: photos cannot be checked from this page."));
      return;
    }
    if (maxBytes && blob.size > maxBytes) {
      status(say("文件太大：请上传较小的照片。", "The file is too large: choose a smaller photo."));
      return;
    }
    status(say("正在检查……", "Checking…"));
    const url = URL.createObjectURL(blob);
    // The upload starts first and the preview is decoded while it is under way: the page never
    // sits idle between the two (headless browsers in the tests take their snapshot when idle).
    const request = fetch(`/v1/checks?crop=jpeg&lang=${encodeURIComponent(lang)}`, {
      method: "POST",
      headers: { "content-type": blob.type || "application/octet-stream" },
      body: blob,
    });
    let width = 0, height = 0;
    try {
      const bitmap = await createImageBitmap(blob, { imageOrientation: "from-image" });
      width = bitmap.width; height = bitmap.height;
    } catch (_) { /* not an image the browser can show: the server says why */ }
    let response;
    try {
      response = await request;
    } catch (_) {
      status(say("无法连接服务器，请稍后再试。", "The server cannot be reached: try again later."));
      return;
    }
    let json = null;
    try { json = await response.json(); } catch (_) { /* handled below */ }
    if (response.status === 401) {
      status(say("此服务需要授权令牌，无法从本页面检查。", "This server requires a token: photos cannot be checked from this page."));
      return;
    }
    if (!response.ok || !json) {
      const message = json && json.error ? json.error.message : `HTTP ${response.status}`;
      last = { blob };
      render({ verdict: "error", error: { message }, checks: [] }, url, 0, 0);
      status("");
      return;
    }
    last = { blob };
    render(json, url, width, height);
    status(say("检查完成。", "Done."));
    document.body.dataset.done = "true";
  }

  $("photo").addEventListener("change", (e) => {
    const file = e.target.files && e.target.files[0];
    if (file) submit(file);
  });

  // A photo handed over in the address (#photo=data:image/...;base64,...): for links from the
  // licence app, and for testing the page without a person clicking.
  if (location.hash.startsWith("#photo=data:image/")) {
    fetch(location.hash.slice("#photo=".length)).then((r) => r.blob()).then(submit);
  }
  applyLang();
})();
