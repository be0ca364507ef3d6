//! report.html: a gallery a reviewer can scan. One card per photo with its annotated thumbnail,
//! verdict and reasons; filters by verdict and by rule code; counts on top. A single offline page
//! (plus the thumbs/ folder). Every string from a file name, EXIF or a message is escaped.

use std::fmt::Write;

use serde_json::Value;

use crate::audit::{Row, Summary};
use crate::report::Lang;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

/// SVG over the thumbnail, in original image coordinates (the viewBox), so nothing is rescaled.
fn overlay(row: &Row) -> String {
    let j = &row.json;
    let (w, h) = (num(&j["image"]["width"]), num(&j["image"]["height"]));
    if w <= 0.0 || h <= 0.0 {
        return String::new();
    }
    let stroke = (w.max(h) / 250.0).max(1.0);
    let mut svg = format!(r#"<svg class="ov" viewBox="0 0 {w} {h}" preserveAspectRatio="none" aria-hidden="true">"#);
    for face in j["faces"].as_array().into_iter().flatten() {
        let r = &face["region"];
        let _ = write!(
            svg,
            r#"<rect class="face" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" stroke-width="{stroke:.1}"/>"#,
            num(&r["x"]),
            num(&r["y"]),
            num(&r["width"]),
            num(&r["height"])
        );
        let primary = &face["primary"];
        if let Some(points) = primary["landmarks"].as_array() {
            let mut d = String::new();
            for p in points {
                let _ = write!(d, "M{:.1} {:.1}h0.01", num(&p["x"]), num(&p["y"]));
            }
            let _ = write!(svg, r#"<path class="lm" d="{d}" stroke-width="{:.1}"/>"#, stroke * 1.6);
        }
        for contour in primary["eye_contours"].as_array().into_iter().flatten() {
            let pts: Vec<String> =
                contour.as_array().into_iter().flatten().map(|p| format!("{:.1},{:.1}", num(&p["x"]), num(&p["y"]))).collect();
            let _ = write!(svg, r#"<polygon class="eye" points="{}" stroke-width="{stroke:.1}"/>"#, pts.join(" "));
        }
    }
    for check in j["checks"].as_array().into_iter().flatten() {
        let outcome = check["outcome"].as_str().unwrap_or("");
        if outcome != "fail" && outcome != "warn" {
            continue;
        }
        let r = &check["region"];
        let title =
            format!("<title>{} {}</title>", escape(check["code"].as_str().unwrap_or("")), escape(check["message"].as_str().unwrap_or("")));
        match r["type"].as_str() {
            Some("box") => {
                let _ = write!(
                    svg,
                    r#"<rect class="bad {outcome}" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" stroke-width="{:.1}">{title}</rect>"#,
                    num(&r["x"]),
                    num(&r["y"]),
                    num(&r["width"]),
                    num(&r["height"]),
                    stroke * 1.5
                );
            }
            Some("polygon") => {
                let pts: Vec<String> =
                    r["points"].as_array().into_iter().flatten().map(|p| format!("{:.1},{:.1}", num(&p["x"]), num(&p["y"]))).collect();
                let _ = write!(
                    svg,
                    r#"<polygon class="bad {outcome}" points="{}" stroke-width="{:.1}">{title}</polygon>"#,
                    pts.join(" "),
                    stroke * 1.5
                );
            }
            _ => {}
        }
    }
    svg.push_str("</svg>");
    svg
}

pub fn render(rows: &[Row], summary: &Summary, lang: Lang) -> String {
    let zh = lang == Lang::ZhCn;
    let t = |zh_s: &'static str, en: &'static str| if zh { zh_s } else { en };
    let mut codes: Vec<(&String, &usize)> = summary.failed_by_code.iter().collect();
    codes.sort();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title><style>{}</style></head><body>"#,
        if zh { "zh-CN" } else { "en" },
        t("照片审核报告", "Photo audit report"),
        STYLE
    );
    let count = |k: &str| summary.verdicts.get(k).copied().unwrap_or(0);
    let _ = write!(
        s,
        r#"<header><h1>{}</h1><p class="meta">{} · {} {} · {} {}</p><div class="counts"><span class="c all">{} <b>{}</b></span><span class="c approve">{} <b>{}</b></span><span class="c review">{} <b>{}</b></span><span class="c reject">{} <b>{}</b></span><span class="c error">{} <b>{}</b></span>{}</div>"#,
        t("照片审核报告", "Photo audit report"),
        escape(&summary.profile),
        t("基准日期", "as of"),
        escape(&summary.as_of),
        t("共", "inputs"),
        summary.inputs,
        t("全部", "All"),
        summary.checked,
        t("通过", "Approved"),
        count("approve"),
        t("需人工审核", "For review"),
        count("review"),
        t("不通过", "Rejected"),
        count("reject"),
        t("无法读取", "Unreadable"),
        count("error"),
        if summary.not_checked > 0 {
            format!(r#"<span class="c pending">{} <b>{}</b></span>"#, t("未检查", "Not checked"), summary.not_checked)
        } else {
            String::new()
        }
    );
    let _ = write!(
        s,
        r#"<nav><label>{} <select id="verdict"><option value="">{}</option><option value="approve">{}</option><option value="review">{}</option><option value="reject">{}</option><option value="error">{}</option></select></label> <label>{} <select id="code"><option value="">{}</option>"#,
        t("结论", "Verdict"),
        t("全部", "all"),
        t("通过", "approved"),
        t("需人工审核", "for review"),
        t("不通过", "rejected"),
        t("无法读取", "unreadable"),
        t("规则", "Rule"),
        t("全部", "all")
    );
    for (code, n) in &codes {
        let _ = write!(s, r#"<option value="{c}">{c} ({n})</option>"#, c = escape(code));
    }
    let _ = write!(s, r#"</select></label> <span id="shown"></span></nav></header><main id="cards">"#);

    for row in rows {
        let verdict = row.verdict();
        let failed = row.failed();
        let sha = row.sha256().unwrap_or("");
        let _ = write!(
            s,
            r#"<article class="card {v}" data-verdict="{v}" data-codes="{codes}">"#,
            v = escape(verdict),
            codes = escape(&failed.iter().chain(row.review().iter()).copied().collect::<Vec<_>>().join(" "))
        );
        if row.json["image"].is_object() && !sha.is_empty() {
            let _ = write!(s, r#"<figure><img loading="lazy" src="thumbs/{}.jpg" alt="">{}</figure>"#, escape(sha), overlay(row));
        } else {
            let _ = write!(s, r#"<figure class="none">{}</figure>"#, t("无图像", "no image"));
        }
        let badge = match verdict {
            "approve" => t("通过", "APPROVED"),
            "reject" => t("不通过", "REJECTED"),
            "review" => t("需人工审核", "REVIEW"),
            _ => t("无法读取", "UNREADABLE"),
        };
        let _ = write!(
            s,
            r#"<div class="body"><div class="name" title="{f}">{f}</div><span class="badge {v}">{badge}</span><ul>"#,
            f = escape(&row.file),
            v = escape(verdict)
        );
        if let Some(err) = row.json["error"].as_object() {
            let _ = write!(
                s,
                r#"<li class="fail"><b>{}</b> {}</li>"#,
                escape(err.get("kind").and_then(Value::as_str).unwrap_or("")),
                escape(err.get("message").and_then(Value::as_str).unwrap_or(""))
            );
        }
        for check in row.json["checks"].as_array().into_iter().flatten() {
            let outcome = check["outcome"].as_str().unwrap_or("");
            let sent_to_review = check["mandatory"].as_bool() == Some(true) && (outcome == "uncertain" || outcome == "not_assessed");
            if outcome == "fail" || outcome == "warn" || sent_to_review {
                let _ = write!(
                    s,
                    r#"<li class="{o}"><b>{}</b> {}</li>"#,
                    escape(check["code"].as_str().unwrap_or("")),
                    escape(check["message"].as_str().unwrap_or("")),
                    o = outcome
                );
            }
        }
        let _ = write!(s, "</ul></div></article>");
    }
    let _ = write!(s, "</main><script>{SCRIPT}</script></body></html>");
    s
}

const STYLE: &str = r#"
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;background:#f4f5f7;color:#1d1f23}
header{position:sticky;top:0;background:#fff;padding:12px 20px;box-shadow:0 1px 4px rgba(0,0,0,.12);z-index:2}
h1{font-size:20px;margin:0 0 4px}.meta{margin:0 0 8px;color:#667;font-size:13px}
.counts{display:flex;gap:10px;flex-wrap:wrap;margin-bottom:8px}.c{padding:4px 10px;border-radius:14px;background:#eef;font-size:14px}
.c.approve{background:#e3f6e8}.c.review{background:#e4ecfb}.c.reject{background:#fde7e7}.c.error{background:#fff1d6}.c.pending{background:#e8e8e8}
nav{font-size:14px}select{font-size:14px;margin-right:12px}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:14px;padding:16px 20px}
.card{background:#fff;border-radius:8px;overflow:hidden;box-shadow:0 1px 3px rgba(0,0,0,.1);border-top:4px solid #999}
.card.approve{border-color:#2e9d4f}.card.review{border-color:#3866c9}.card.reject{border-color:#d93636}.card.error{border-color:#e39b00}
figure{position:relative;margin:0;background:#222;display:flex;justify-content:center}
figure img{display:block;max-width:100%;max-height:320px}
figure.none{height:120px;align-items:center;color:#bbb}
.ov{position:absolute;top:0;height:100%;aspect-ratio:auto;pointer-events:none}
.ov .face{fill:none;stroke:#3cf}.ov .lm{fill:none;stroke:#7fff7f;stroke-linecap:round;opacity:.8}
.ov .eye{fill:none;stroke:#ff0}.ov .bad{fill:rgba(255,40,40,.12);stroke:#ff2a2a;pointer-events:auto}.ov .bad.warn{fill:rgba(255,170,0,.1);stroke:#fa0}
.body{padding:8px 10px}.name{font-size:13px;word-break:break-all;color:#333;margin-bottom:4px}
.badge{font-size:12px;font-weight:600;padding:2px 8px;border-radius:10px;color:#fff;background:#999}
.badge.approve{background:#2e9d4f}.badge.review{background:#3866c9}.badge.reject{background:#d93636}.badge.error{background:#e39b00}
ul{margin:6px 0 0;padding-left:16px;font-size:13px}li.fail b{color:#c22}li.warn b{color:#b70}li{margin:2px 0}
"#;

const SCRIPT: &str = r#"
(function(){
  var v=document.getElementById('verdict'),c=document.getElementById('code'),shown=document.getElementById('shown');
  function fitOverlays(){document.querySelectorAll('figure img').forEach(function(img){var o=img.nextElementSibling;if(o){o.style.width=img.clientWidth+'px';o.style.height=img.clientHeight+'px';o.style.left=img.offsetLeft+'px';}});}
  function apply(){var n=0;document.querySelectorAll('.card').forEach(function(card){
    var ok=(!v.value||card.dataset.verdict===v.value)&&(!c.value||(' '+card.dataset.codes+' ').indexOf(' '+c.value+' ')>=0);
    card.style.display=ok?'':'none';if(ok)n++;});shown.textContent=n+' / '+document.querySelectorAll('.card').length;fitOverlays();}
  v.addEventListener('change',apply);c.addEventListener('change',apply);
  document.querySelectorAll('figure img').forEach(function(img){img.addEventListener('load',fitOverlays);});
  window.addEventListener('resize',fitOverlays);apply();
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape(r#"<script>alert("x")</script>&'"#), "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
    }
}
