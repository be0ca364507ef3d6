//! report.html: a gallery a reviewer can scan. One card per photo with its annotated thumbnail,
//! verdict and reasons; filters by verdict and by rule code; counts on top. A single offline page
//! (plus the thumbs/ folder). Every string from a file name, EXIF or a message is escaped.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde_json::Value;

use crate::audit::{Row, Summary};
use crate::report::Lang;

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn one_decimal(v: f64) -> String {
    format!("{v:.1}")
}

/// "x,y x,y …" of a JSON point list, for an SVG polygon.
fn points(list: &Value) -> String {
    list.as_array().into_iter().flatten().map(|p| format!("{:.1},{:.1}", num(&p["x"]), num(&p["y"]))).collect::<Vec<_>>().join(" ")
}

/// SVG over the thumbnail, in original image coordinates (the viewBox), so nothing is rescaled.
/// Every element is closed explicitly: in HTML an unclosed `<rect>` would swallow its siblings.
fn overlay(row: &Row) -> Markup {
    let j = &row.json;
    let (w, h) = (num(&j["image"]["width"]), num(&j["image"]["height"]));
    if w <= 0.0 || h <= 0.0 {
        return html! {};
    }
    let stroke = (w.max(h) / 250.0).max(1.0);
    let faces = j["faces"].as_array().into_iter().flatten();
    let marked = j["checks"].as_array().into_iter().flatten().filter(|c| matches!(str_of(&c["outcome"]), "fail" | "warn"));
    html! {
        svg class="ov" viewBox=(format!("0 0 {w} {h}")) preserveAspectRatio="none" aria-hidden="true" {
            @for face in faces {
                @let r = &face["region"];
                rect class="face" x=(one_decimal(num(&r["x"]))) y=(one_decimal(num(&r["y"]))) width=(one_decimal(num(&r["width"])))
                    height=(one_decimal(num(&r["height"]))) stroke-width=(one_decimal(stroke)) {}
                @if let Some(landmarks) = face["primary"]["landmarks"].as_array() {
                    @let d: String = landmarks.iter().map(|p| format!("M{:.1} {:.1}h0.01", num(&p["x"]), num(&p["y"]))).collect();
                    path class="lm" d=(d) stroke-width=(one_decimal(stroke * 1.6)) {}
                }
                @for contour in face["primary"]["eye_contours"].as_array().into_iter().flatten() {
                    polygon class="eye" points=(points(contour)) stroke-width=(one_decimal(stroke)) {}
                }
            }
            @for check in marked {
                @let r = &check["region"];
                @let class = format!("bad {}", str_of(&check["outcome"]));
                @match str_of(&r["type"]) {
                    "box" => {
                        rect class=(class) x=(one_decimal(num(&r["x"]))) y=(one_decimal(num(&r["y"]))) width=(one_decimal(num(&r["width"])))
                            height=(one_decimal(num(&r["height"]))) stroke-width=(one_decimal(stroke * 1.5)) {
                            title { (str_of(&check["code"])) " " (str_of(&check["message"])) }
                        }
                    }
                    "polygon" => {
                        polygon class=(class) points=(points(&r["points"])) stroke-width=(one_decimal(stroke * 1.5)) {
                            title { (str_of(&check["code"])) " " (str_of(&check["message"])) }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The whole page. maud escapes every interpolated string (file names, EXIF text, messages);
/// only the page's own style sheet and script are inserted as they are.
pub fn render(rows: &[Row], summary: &Summary, lang: Lang) -> String {
    let zh = lang == Lang::ZhCn;
    let t = |zh_s: &'static str, en: &'static str| if zh { zh_s } else { en };
    let mut codes: Vec<(&String, &usize)> = summary.failed_by_code.iter().collect();
    codes.sort();
    let count = |k: &str| summary.verdicts.get(k).copied().unwrap_or(0);
    let page = html! {
        (DOCTYPE)
        html lang=(if zh { "zh-CN" } else { "en" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t("照片审核报告", "Photo audit report")) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { (t("照片审核报告", "Photo audit report")) }
                    p class="meta" {
                        (summary.profile) " · " (t("基准日期", "as of")) " " (summary.as_of) " · " (t("共", "inputs")) " " (summary.inputs)
                    }
                    div class="counts" {
                        span class="c all" { (t("全部", "All")) " " b { (summary.checked) } }
                        span class="c approve" { (t("通过", "Approved")) " " b { (count("approve")) } }
                        span class="c review" { (t("需人工审核", "For review")) " " b { (count("review")) } }
                        span class="c reject" { (t("不通过", "Rejected")) " " b { (count("reject")) } }
                        span class="c error" { (t("无法读取", "Unreadable")) " " b { (count("error")) } }
                        @if summary.not_checked > 0 {
                            span class="c pending" { (t("未检查", "Not checked")) " " b { (summary.not_checked) } }
                        }
                    }
                    nav {
                        label { (t("结论", "Verdict")) " "
                            select id="verdict" {
                                option value="" { (t("全部", "all")) }
                                option value="approve" { (t("通过", "approved")) }
                                option value="review" { (t("需人工审核", "for review")) }
                                option value="reject" { (t("不通过", "rejected")) }
                                option value="error" { (t("无法读取", "unreadable")) }
                            }
                        }
                        " "
                        label { (t("规则", "Rule")) " "
                            select id="code" {
                                option value="" { (t("全部", "all")) }
                                @for (code, n) in &codes {
                                    option value=(code) { (code) " (" (n) ")" }
                                }
                            }
                        }
                        " "
                        span id="shown" {}
                    }
                }
                main id="cards" {
                    @for row in rows {
                        (card(row, zh))
                    }
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    page.into_string()
}

/// One photo: thumbnail with its overlay, verdict badge, and the reasons behind the verdict.
fn card(row: &Row, zh: bool) -> Markup {
    let t = |zh_s: &'static str, en: &'static str| if zh { zh_s } else { en };
    let verdict = row.verdict();
    let sha = row.sha256().unwrap_or("");
    let codes = row.failed().iter().chain(row.review().iter()).copied().collect::<Vec<_>>().join(" ");
    let badge = match verdict {
        "approve" => t("通过", "APPROVED"),
        "reject" => t("不通过", "REJECTED"),
        "review" => t("需人工审核", "REVIEW"),
        _ => t("无法读取", "UNREADABLE"),
    };
    let reasons = row.json["checks"].as_array().into_iter().flatten().filter(|check| {
        let outcome = str_of(&check["outcome"]);
        let sent_to_review = check["mandatory"].as_bool() == Some(true) && matches!(outcome, "uncertain" | "not_assessed");
        matches!(outcome, "fail" | "warn") || sent_to_review
    });
    html! {
        article class=(format!("card {verdict}")) data-verdict=(verdict) data-codes=(codes) {
            @if row.json["image"].is_object() && !sha.is_empty() {
                figure { img loading="lazy" src=(format!("thumbs/{sha}.jpg")) alt=""; (overlay(row)) }
            } @else {
                figure class="none" { (t("无图像", "no image")) }
            }
            div class="body" {
                div class="name" title=(row.file) { (row.file) }
                span class=(format!("badge {verdict}")) { (badge) }
                ul {
                    @if let Some(err) = row.json["error"].as_object() {
                        li class="fail" { b { (err.get("kind").and_then(Value::as_str).unwrap_or("")) } " " (err.get("message").and_then(Value::as_str).unwrap_or("")) }
                    }
                    @for check in reasons {
                        li class=(str_of(&check["outcome"])) { b { (str_of(&check["code"])) } " " (str_of(&check["message"])) }
                    }
                }
            }
        }
    }
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
    fn file_names_and_messages_cannot_inject_markup() {
        let evil = r#"<script>alert("x")</script>&'.jpg"#;
        let json = serde_json::json!({
            "file": evil, "verdict": "reject", "sha256": "ab", "image": {"width": 10, "height": 10},
            "faces": [], "checks": [{"code": "TX001", "outcome": "fail", "mandatory": true, "message": "<img src=x onerror=alert(1)>",
                "region": {"type": "box", "x": 1, "y": 1, "width": 2, "height": 2}}]
        });
        let row = Row { file: evil.to_string(), json };
        let summary = Summary { profile: "<b>p</b>".into(), ..Default::default() };
        let page = render(&[row], &summary, Lang::En);
        assert!(!page.contains("<script>alert"), "file name escaped");
        assert!(!page.contains("<img src=x"), "message escaped");
        assert!(!page.contains("<b>p</b>"), "profile name escaped");
        assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;"), "{page}");
        assert_eq!(page.matches("<script>").count(), 1, "only the page's own script");
    }
}
