//! The applicant's self-check page, served by `photocheck serve` at `/`: one page, Chinese first
//! (English switch), that works in a phone browser. It uploads the photo to `/v1/checks` (with
//! `crop=jpeg`) and shows the verdict, each reason in plain words, the regions drawn on the photo,
//! what to do next, and the normalised crop. No external assets: the page, its script and its
//! icons are compiled into the binary; the photo stays in the browser's memory and in the
//! server's for the duration of the check, never on disk.

use maud::{html, Markup, PreEscaped, DOCTYPE};

/// The page's script (served at `/selfcheck.js`, so the page's CSP can forbid inline scripts).
pub const SCRIPT: &str = include_str!("selfcheck.js");

/// Content-Security-Policy of the page: nothing from anywhere else, no inline script, no forms
/// posted elsewhere, not framable.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data: blob:; \
                       connect-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// A text in both languages: Chinese shown first, the script swaps on the language switch.
fn t(zh: &str, en: &str) -> Markup {
    html! { span data-zh=(zh) data-en=(en) { (zh) } }
}

/// One rule of the checklist: a drawn icon (plain SVG shapes, no photographs) and a short line.
struct Rule {
    zh: &'static str,
    en: &'static str,
    icon: &'static str,
    forbidden: bool,
}

const HEAD: &str =
    r##"<circle cx="24" cy="19" r="9" fill="#f1c9a5" stroke="#555"/><path d="M8 46c2-10 9-14 16-14s14 4 16 14z" fill="#1f2a44"/>"##;

const RULES: &[Rule] = &[
    Rule {
        zh: "白色纯色背景",
        en: "Plain white background",
        icon: r##"<rect x="2" y="2" width="44" height="44" fill="#fff" stroke="#999"/>"##,
        forbidden: false,
    },
    Rule {
        zh: "正面免冠，头部端正，双肩水平",
        en: "Face the camera, head upright, shoulders level",
        icon: r##"<line x1="24" y1="4" x2="24" y2="44" stroke="#2a7" stroke-dasharray="3 2"/>"##,
        forbidden: false,
    },
    Rule {
        zh: "不戴帽子、头巾等头饰",
        en: "No hat, scarf or other headwear",
        icon: r##"<path d="M12 14h24l-3-8H15z" fill="#a33"/>"##,
        forbidden: true,
    },
    Rule {
        zh: "不戴眼镜",
        en: "No glasses",
        icon: r##"<circle cx="19" cy="18" r="4" fill="none" stroke="#222" stroke-width="2"/><circle cx="29" cy="18" r="4" fill="none" stroke="#222" stroke-width="2"/>"##,
        forbidden: true,
    },
    Rule {
        zh: "不戴口罩", en: "No mask", icon: r##"<rect x="16" y="20" width="16" height="8" rx="2" fill="#9cd"/>"##, forbidden: true
    },
    Rule {
        zh: "双眼睁开，表情自然，嘴巴闭合",
        en: "Eyes open, natural expression, mouth closed",
        icon: r##"<circle cx="20" cy="17" r="1.5"/><circle cx="28" cy="17" r="1.5"/><line x1="20" y1="24" x2="28" y2="24" stroke="#733" stroke-width="1.5"/>"##,
        forbidden: false,
    },
    Rule {
        zh: "头发不遮挡眉毛和耳朵",
        en: "Hair off the eyebrows and ears",
        icon: r##"<ellipse cx="14.5" cy="20" rx="2" ry="3.5" fill="#f1c9a5" stroke="#555"/><ellipse cx="33.5" cy="20" rx="2" ry="3.5" fill="#f1c9a5" stroke="#555"/>"##,
        forbidden: false,
    },
    Rule {
        zh: "不佩戴首饰",
        en: "No jewellery",
        icon: r##"<circle cx="14" cy="27" r="2.5" fill="none" stroke="#c90" stroke-width="1.5"/>"##,
        forbidden: true,
    },
    Rule {
        zh: "不要手势，手不入镜",
        en: "No hands or gestures in the photo",
        icon: r##"<path d="M34 44V30l2-8 2 1-1 7 4-9 2 1-3 9 5-6 2 2-6 9v8z" fill="#f1c9a5" stroke="#555"/>"##,
        forbidden: true,
    },
    Rule {
        zh: "不得有文字、数字、字母或标志",
        en: "No text, digits, letters or logos",
        icon: r##"<text x="30" y="42" font-size="11" font-family="sans-serif" fill="#333">A1</text>"##,
        forbidden: true,
    },
    Rule { zh: "深色衣服，不穿制服", en: "Dark clothing, no uniform", icon: "", forbidden: false },
    Rule {
        zh: "六个月内拍摄的原始照片，未经修饰",
        en: "Taken within 6 months, not retouched",
        icon: r##"<rect x="28" y="28" width="16" height="16" fill="#fff" stroke="#555"/><text x="32" y="41" font-size="10" font-family="sans-serif">6</text>"##,
        forbidden: false,
    },
];

fn icon(rule: &Rule) -> Markup {
    let cross = if rule.forbidden { r##"<line x1="6" y1="6" x2="42" y2="42" stroke="#d22" stroke-width="3"/>"## } else { "" };
    // Static strings only (no input reaches this markup).
    let svg = format!(r##"<svg viewBox="0 0 48 48" width="44" height="44" aria-hidden="true">{HEAD}{}{cross}</svg>"##, rule.icon);
    PreEscaped(svg)
}

/// The page. `auth_required`: the server was started with `--token-file`, so uploads from this
/// page (which has no token) will be refused, and the page says so up front.
pub fn page(auth_required: bool, max_bytes: usize) -> Markup {
    let max_mb = max_bytes as f64 / (1024.0 * 1024.0);
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "驾驶证照片自检 · Photo self-check" }
                style { (PreEscaped(STYLE)) }
            }
            body data-max-bytes=(max_bytes) data-auth-required=(auth_required) {
                header {
                    h1 { (t("驾驶证照片自检", "Driving-licence photo self-check")) }
                    button #lang type="button" aria-label="English / 中文" { "English" }
                }
                @if auth_required {
                    p #auth .notice.bad {
                        (t("此服务需要授权令牌，本页面无法直接上传检查。请使用驾驶证应用提交照片。",
                           "This server requires an access token, so this page cannot upload photos. Submit your photo through the licence app."))
                    }
                }
                section #before {
                    h2 { (t("拍照前请注意", "Before you take the photo")) }
                    ul .rules {
                        @for rule in RULES {
                            li { (icon(rule)) (t(rule.zh, rule.en)) }
                        }
                    }
                }
                section #upload {
                    h2 { (t("选择或拍摄照片", "Choose or take a photo")) }
                    p .limits {
                        (t(&format!("JPEG、PNG 或 WebP，不超过 {max_mb:.0} MB；宽度至少 520 像素，竖版 2:3 至 3:4。"),
                           &format!("JPEG, PNG or WebP, at most {max_mb:.0} MB; at least 520 px wide, portrait 2:3 to 3:4.")))
                    }
                    label .pick {
                        input #photo type="file" accept="image/jpeg,image/png,image/webp" capture="user";
                        (t("选择照片", "Choose a photo"))
                    }
                    p .privacy {
                        (t("照片只用于本次检查，不会被保存。", "The photo is used for this check only and is not stored."))
                    }
                }
                section #result hidden {
                    h2 #verdict {}
                    p #next {}
                    div .figure {
                        svg #overlay role="img" aria-label="photo with the problem areas marked" {}
                    }
                    ul #reasons {}
                    div #crop hidden {
                        h3 { (t("按规格裁剪后的照片", "Your photo cropped to the specification")) }
                        img #cropimg alt="normalised crop";
                        p #cropnote {}
                    }
                }
                p #status role="status" {}
                script src="/selfcheck.js" {}
            }
        }
    }
}

const STYLE: &str = r#"
*{box-sizing:border-box}body{font-family:system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0 auto;max-width:760px;padding:12px;color:#222;background:#fafafa}
header{display:flex;justify-content:space-between;align-items:center;gap:8px}h1{font-size:1.3em;margin:8px 0}h2{font-size:1.1em}
button,.pick{font-size:1em;padding:10px 16px;border-radius:8px;border:1px solid #888;background:#fff;cursor:pointer}
.pick{display:inline-block;background:#1f5fbf;color:#fff;border-color:#1f5fbf}.pick input{display:none}
.rules{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:6px}
.rules li{display:flex;align-items:center;gap:8px;background:#fff;border:1px solid #ddd;border-radius:8px;padding:6px}
.limits,.privacy{color:#555;font-size:.9em}.notice{padding:10px;border-radius:8px}.bad{background:#fde8e8;border:1px solid #e99}
#verdict.approve{color:#176b2c}#verdict.reject{color:#b3261e}#verdict.review{color:#8a5a00}
.figure{max-width:420px}#overlay{width:100%;height:auto;border:1px solid #ccc;background:#eee}
#reasons li{margin:6px 0}#reasons .fail{color:#b3261e}#reasons .uncertain,#reasons .not_assessed{color:#8a5a00}#reasons .warn{color:#555}
#cropimg{width:130px;border:1px solid #ccc}
"#;
