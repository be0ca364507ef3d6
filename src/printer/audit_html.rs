//! report.html: the reviewer's work list. One offline page (plus the thumbs/ folder) that stays
//! fast at thousands of photos: the rows travel as one compact JSON block (messages stored once,
//! regions as rounded integers, no landmark clouds) and the page's script renders one page of
//! cards at a time in triage order (review first, then reject, unreadable, approved), with
//! search by file name, filters by verdict and rule code, the main reason first and the rest
//! folded, marks drawn over the thumbnail only on demand (hover or the `m` toggle), keyboard
//! navigation, and a confirm / override export (CSV) that `calibrate` and `eval` read as labels.
//!
//! Every string from a file name, EXIF or a message reaches the page either escaped by maud or
//! inside the JSON block with `<`, `>` and `&` escaped, and the script only ever sets
//! `textContent`.

use std::collections::BTreeMap;

use maud::{html, PreEscaped, DOCTYPE};
use serde_json::{json, Value};

use crate::audit::{Row, Summary};
use crate::report::Lang;

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// A region as `[kind, ...integers]`: `["b", x, y, w, h]` or `["p", x0, y0, x1, y1, …]`.
fn compact_region(r: &Value) -> Option<Value> {
    match str_of(&r["type"]) {
        "box" => Some(json!(["b", num(&r["x"]).round(), num(&r["y"]).round(), num(&r["width"]).round(), num(&r["height"]).round()])),
        "polygon" => {
            let mut out = vec![json!("p")];
            for p in r["points"].as_array().into_iter().flatten() {
                out.push(json!(num(&p["x"]).round()));
                out.push(json!(num(&p["y"]).round()));
            }
            Some(Value::Array(out))
        }
        _ => None,
    }
}

/// Order of the reasons on a card: what decided the verdict first.
fn reason_rank(outcome: &str) -> u8 {
    match outcome {
        "fail" => 0,
        "uncertain" => 1,
        "not_assessed" => 2,
        _ => 3,
    }
}

/// The rows as the page's data: `{m: [messages], rows: [...]}`; each row `{f, s, v, c, r, w, h,
/// b, g}` = file, thumbnail sha, verdict, codes, reasons `[code, outcome, message index]`, image
/// size, face box, regions `[code, outcome, region]`.
fn data(rows: &[Row]) -> Value {
    let mut messages: Vec<String> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut intern = |m: &str| -> usize {
        if let Some(&i) = index.get(m) {
            return i;
        }
        messages.push(m.to_string());
        index.insert(m.to_string(), messages.len() - 1);
        messages.len() - 1
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let j = &row.json;
        let mut reasons: Vec<(u8, Value)> = Vec::new();
        if let Some(err) = j["error"].as_object() {
            let message = format!(
                "{} {}",
                err.get("kind").and_then(Value::as_str).unwrap_or(""),
                err.get("message").and_then(Value::as_str).unwrap_or("")
            );
            reasons.push((0, json!(["", "fail", intern(&message)])));
        }
        let mut regions = Vec::new();
        for check in j["checks"].as_array().into_iter().flatten() {
            let outcome = str_of(&check["outcome"]);
            let sent_to_review = check["mandatory"].as_bool() == Some(true) && matches!(outcome, "uncertain" | "not_assessed");
            if !(matches!(outcome, "fail" | "warn") || sent_to_review) {
                continue;
            }
            let code = str_of(&check["code"]);
            reasons.push((reason_rank(outcome), json!([code, outcome, intern(str_of(&check["message"]))])));
            if let Some(region) = compact_region(&check["region"]) {
                regions.push(json!([code, outcome, region]));
            }
        }
        // Stable: within a rank, the report's own order.
        reasons.sort_by_key(|(rank, _)| *rank);
        let face = j["faces"].as_array().and_then(|f| f.first()).and_then(|f| compact_region(&f["region"]));
        let codes: Vec<&str> = row.failed().iter().chain(row.review().iter()).copied().collect();
        let thumb = if j["image"].is_object() { row.sha256().unwrap_or("") } else { "" };
        // The crop's outcome: [status, message, whether crops/SHA.jpg was written].
        let crop = j["crop"].as_object().map(|c| {
            let written = c.get("output").is_some_and(|o| !o.is_null());
            json!([
                c.get("status").and_then(Value::as_str).unwrap_or(""),
                intern(c.get("message").and_then(Value::as_str).unwrap_or("")),
                written
            ])
        });
        out.push(json!({
            "f": row.file,
            "s": thumb,
            "v": row.verdict(),
            "c": codes,
            "r": reasons.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
            "w": num(&j["image"]["width"]),
            "h": num(&j["image"]["height"]),
            "b": face,
            "g": regions,
            "k": crop,
        }));
    }
    json!({ "m": messages, "rows": out })
}

/// Check code → [label column, label 1 means a violation], for the decisions export: a
/// confirmed reason is that label's evidence, an overridden one its counter-evidence.
fn label_map() -> Value {
    let mut map = serde_json::Map::new();
    for spec in crate::rules::REGISTRY {
        for info in spec.codes {
            if let Some(eval) = info.eval {
                map.insert(info.code.to_string(), json!([eval.label, eval.violation]));
            }
        }
    }
    Value::Object(map)
}

/// JSON that can sit inside a `<script>` element: no `</script>`, no `<!--`, no entity.
fn script_safe_json(v: &Value) -> String {
    v.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// "2026-11-26T12:00:00.123456789+00:00" → "2026-11-26 12:00 +00:00" (minutes are enough).
fn readable_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.format("%Y-%m-%d %H:%M %:z").to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// The whole page. maud escapes every interpolated string; the data block is script-safe JSON.
pub fn render(rows: &[Row], summary: &Summary, lang: Lang) -> String {
    let zh = lang == Lang::ZhCn;
    let t = |zh_s: &'static str, en: &'static str| if zh { zh_s } else { en };
    let mut codes: Vec<(&String, usize)> = summary.failed_by_code.iter().map(|(c, n)| (c, *n)).collect();
    for (code, n) in &summary.review_by_code {
        match codes.iter_mut().find(|(c, _)| *c == code) {
            Some(entry) => entry.1 += n,
            None => codes.push((code, *n)),
        }
    }
    codes.sort();
    let count = |k: &str| summary.verdicts.get(k).copied().unwrap_or(0);
    let labels = json!({
        "approve": t("通过", "APPROVED"), "reject": t("不通过", "REJECTED"), "review": t("需人工审核", "REVIEW"),
        "error": t("无法读取", "UNREADABLE"), "more": t("其他 {n} 项", "{n} more"), "confirm": t("确认", "Confirm"),
        "override": t("改判", "Override"), "dispute": t("此项有误", "wrong"), "noimage": t("无图像", "no image"),
        "page": t("第 {p} / {n} 页，共 {k} 张", "page {p} of {n}, {k} photos"),
        "decided": t("已审核 {n} 张", "{n} decided"),
    });
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
                        (summary.profile) " · " (t("基准日期", "as of")) " " (readable_time(&summary.as_of)) " · " (t("共", "inputs")) " " (summary.inputs)
                    }
                    div class="counts" {
                        span class="c review" { (t("需人工审核", "For review")) " " b { (count("review")) } }
                        span class="c reject" { (t("不通过", "Rejected")) " " b { (count("reject")) } }
                        span class="c error" { (t("无法读取", "Unreadable")) " " b { (count("error")) } }
                        span class="c approve" { (t("通过", "Approved")) " " b { (count("approve")) } }
                        span class="c all" { (t("全部", "All")) " " b { (summary.checked) } }
                        @if summary.not_checked > 0 {
                            span class="c pending" { (t("未检查", "Not checked")) " " b { (summary.not_checked) } }
                        }
                    }
                    nav {
                        input id="search" type="search" placeholder=(t("按文件名搜索（/）", "Search file names (/)"));
                        select id="verdict" aria-label=(t("结论", "Verdict")) {
                            option value="" { (t("全部结论", "all verdicts")) }
                            option value="review" { (t("需人工审核", "for review")) }
                            option value="reject" { (t("不通过", "rejected")) }
                            option value="error" { (t("无法读取", "unreadable")) }
                            option value="approve" { (t("通过", "approved")) }
                        }
                        select id="code" aria-label=(t("规则", "Rule")) {
                            option value="" { (t("全部规则", "all rules")) }
                            @for (code, n) in &codes {
                                option value=(code) { (code) " (" (n) ")" }
                            }
                        }
                        label { input id="marks" type="checkbox"; " " (t("显示标注（m）", "Show marks (m)")) }
                        button id="prev" type="button" { "‹" }
                        span id="pageinfo" {}
                        button id="next" type="button" { "›" }
                        button id="export" type="button" { (t("导出审核结果 CSV", "Export decisions (CSV)")) }
                        span id="decided" {}
                    }
                    p class="keys" {
                        (t("键盘：j/k 上下移动，c 确认，x 改判，m 标注，n/p 翻页，/ 搜索",
                           "Keys: j/k move, c confirm, x override, m marks, n/p page, / search"))
                    }
                }
                main id="cards" {}
                script type="application/json" id="data" { (PreEscaped(script_safe_json(&data(rows)))) }
                script type="application/json" id="labels" { (PreEscaped(script_safe_json(&labels))) }
                script type="application/json" id="codelabels" { (PreEscaped(script_safe_json(&label_map()))) }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    page.into_string()
}

const STYLE: &str = r#"
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;background:#f4f5f7;color:#1d1f23}
header{position:sticky;top:0;background:#fff;padding:10px 20px;box-shadow:0 1px 4px rgba(0,0,0,.12);z-index:2}
h1{font-size:20px;margin:0 0 4px}.meta,.keys{margin:0 0 6px;color:#667;font-size:13px}
.counts{display:flex;gap:10px;flex-wrap:wrap;margin-bottom:8px}.c{padding:4px 10px;border-radius:14px;background:#eef;font-size:14px}
.c.approve{background:#e3f6e8}.c.review{background:#e4ecfb}.c.reject{background:#fde7e7}.c.error{background:#fff1d6}.c.pending{background:#e8e8e8}
nav{display:flex;gap:8px;flex-wrap:wrap;align-items:center;font-size:14px}nav input[type=search]{width:220px}select,button,input{font-size:14px}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:14px;padding:16px 20px}
.card{background:#fff;border-radius:8px;overflow:hidden;box-shadow:0 1px 3px rgba(0,0,0,.1);border-top:4px solid #999;outline:none}
.card:focus{box-shadow:0 0 0 3px #3866c9}.card.approve{border-color:#2e9d4f}.card.review{border-color:#3866c9}.card.reject{border-color:#d93636}.card.error{border-color:#e39b00}
.card.confirmed{background:#f3fbf5}.card.overridden{background:#fff6f0}
figure{position:relative;margin:0;background:#222;display:flex;justify-content:center;min-height:60px}
figure img{display:block;max-width:100%;max-height:320px}figure.none{height:80px;align-items:center;color:#bbb}
.ov{position:absolute;pointer-events:none}.ov .face{fill:none;stroke:#3cf}.ov .fail{fill:none;stroke:#ff2a2a}.ov .other{fill:none;stroke:#fa0;stroke-dasharray:6 4}
.body{padding:8px 10px}.name{font-size:13px;word-break:break-all;color:#333;margin-bottom:4px}
.badge{font-size:12px;font-weight:600;padding:2px 8px;border-radius:10px;color:#fff;background:#999}
.badge.approve{background:#2e9d4f}.badge.review{background:#3866c9}.badge.reject{background:#d93636}.badge.error{background:#e39b00}
ul{margin:6px 0 0;padding-left:16px;font-size:13px}li{margin:2px 0}li b{margin-right:4px}li.fail b{color:#c22}li.uncertain b,li.not_assessed b{color:#3866c9}li.warn b{color:#b70}
li.disputed{text-decoration:line-through;color:#888}details summary{font-size:12px;color:#667;cursor:pointer}
.crop{display:flex;gap:6px;align-items:center;font-size:12px;color:#2e6b3f;margin:6px 0 0}.crop img{width:52px;border:1px solid #ccc}
.actions{display:flex;gap:6px;margin-top:6px}.actions button{font-size:12px;padding:2px 8px}
"#;

const SCRIPT: &str = r#"
(function(){
"use strict";
var D=JSON.parse(document.getElementById('data').textContent),L=JSON.parse(document.getElementById('labels').textContent),
    CL=JSON.parse(document.getElementById('codelabels').textContent),M=D.m,PER=48;
var RANK={review:0,reject:1,error:2,approve:3};
var rows=D.rows.map(function(r,i){r.i=i;return r;}).sort(function(a,b){return (RANK[a.v]-RANK[b.v])||(a.f<b.f?-1:a.f>b.f?1:0);});
var $=function(id){return document.getElementById(id);},q=$('search'),fv=$('verdict'),fc=$('code'),marks=$('marks'),main=$('cards');
var store='photocheck-decisions:'+location.pathname,dec={};try{dec=JSON.parse(localStorage.getItem(store)||'{}');}catch(e){dec={};}
var page=0,shown=rows,focusAt=0;
function fmt(s,o){return s.replace(/\{(\w)\}/g,function(_,k){return o[k];});}
function el(t,c,x){var e=document.createElement(t);if(c)e.className=c;if(x!==undefined)e.textContent=x;return e;}
function sv(t,a){var e=document.createElementNS('http://www.w3.org/2000/svg',t);for(var k in a)e.setAttribute(k,a[k]);return e;}
function key(r){return r.s+'|'+r.f;}
function save(){try{localStorage.setItem(store,JSON.stringify(dec));}catch(e){}$('decided').textContent=fmt(L.decided,{n:Object.keys(dec).length});}
function shape(g,cls,w){var e;if(g[0]==='b'){e=sv('rect',{x:g[1],y:g[2],width:g[3],height:g[4]});}else{var p=[];for(var i=1;i+1<g.length;i+=2)p.push(g[i]+','+g[i+1]);e=sv('polygon',{points:p.join(' ')});}
  e.setAttribute('class',cls);e.setAttribute('stroke-width',w);return e;}
function drawMarks(fig,r){if(fig.querySelector('svg')||!r.w)return;var img=fig.querySelector('img');if(!img||!img.complete||!img.clientWidth)return;
  var s=sv('svg',{'class':'ov',viewBox:'0 0 '+r.w+' '+r.h,preserveAspectRatio:'none'}),w=Math.max(r.w,r.h)/200;
  s.style.width=img.clientWidth+'px';s.style.height=img.clientHeight+'px';s.style.left=img.offsetLeft+'px';s.style.top=img.offsetTop+'px';
  if(r.b)s.appendChild(shape(r.b,'face',w));r.g.forEach(function(g){s.appendChild(shape(g[2],g[1]==='fail'?'fail':'other',w));});fig.appendChild(s);}
function clearMarks(fig){var s=fig.querySelector('svg');if(s)s.remove();}
function reason(r,x,d){var li=el('li',x[1]);li.appendChild(el('b','',x[0]));li.appendChild(document.createTextNode(M[x[2]]));
  if(x[0]&&CL[x[0]]){var cb=el('input');cb.type='checkbox';cb.title=L.dispute;cb.checked=!!(d&&d.disputed&&d.disputed.indexOf(x[0])>=0);
    if(cb.checked)li.classList.add('disputed');
    cb.addEventListener('change',function(){var k=key(r),e=dec[k]||{decision:'confirm',disputed:[]};e.disputed=e.disputed.filter(function(c){return c!==x[0];});
      if(cb.checked)e.disputed.push(x[0]);dec[k]=e;li.classList.toggle('disputed',cb.checked);save();});li.appendChild(cb);}
  return li;}
function card(r){var a=el('article','card '+r.v),d=dec[key(r)];a.tabIndex=0;a.dataset.verdict=r.v;a.dataset.codes=r.c.join(' ');
  if(d)a.classList.add(d.decision==='confirm'?'confirmed':'overridden');
  var fig=el('figure');if(r.s){var img=el('img');img.loading='lazy';img.alt='';img.src='thumbs/'+r.s+'.jpg';fig.appendChild(img);
    img.addEventListener('load',function(){if(marks.checked)drawMarks(fig,r);});
    fig.addEventListener('mouseenter',function(){drawMarks(fig,r);});fig.addEventListener('mouseleave',function(){if(!marks.checked)clearMarks(fig);});}
  else{fig.className='none';fig.textContent=L.noimage;}a.appendChild(fig);
  var b=el('div','body');b.appendChild(el('div','name',r.f));b.appendChild(el('span','badge '+r.v,L[r.v]||r.v));
  var ul=el('ul');if(r.r.length)ul.appendChild(reason(r,r.r[0],d));b.appendChild(ul);
  if(r.r.length>1){var det=el('details'),sm=el('summary','',fmt(L.more,{n:r.r.length-1})),ul2=el('ul');det.appendChild(sm);
    r.r.slice(1).forEach(function(x){ul2.appendChild(reason(r,x,d));});det.appendChild(ul2);b.appendChild(det);}
  if(r.k){var kp=el('p','crop');if(r.k[2]&&r.s){var ki=el('img');ki.loading='lazy';ki.alt='';ki.src='crops/'+r.s+'.jpg';kp.appendChild(ki);}
    kp.appendChild(el('span','',M[r.k[1]]));b.appendChild(kp);}
  var act=el('div','actions'),ok=el('button','',L.confirm),no=el('button','',L.override);ok.type=no.type='button';
  ok.addEventListener('click',function(){decide(r,a,'confirm');});no.addEventListener('click',function(){decide(r,a,'override');});
  act.appendChild(ok);act.appendChild(no);b.appendChild(act);a.appendChild(b);a._row=r;return a;}
function decide(r,a,what){var k=key(r),e=dec[k]||{disputed:[]};e.decision=what;dec[k]=e;a.classList.remove('confirmed','overridden');
  a.classList.add(what==='confirm'?'confirmed':'overridden');save();}
function filter(){var t=q.value.toLowerCase(),v=fv.value,c=fc.value;
  shown=rows.filter(function(r){return (!v||r.v===v)&&(!c||r.c.indexOf(c)>=0)&&(!t||r.f.toLowerCase().indexOf(t)>=0);});page=0;render();}
function render(){var n=Math.max(1,Math.ceil(shown.length/PER));page=Math.min(page,n-1);main.textContent='';
  var f=document.createDocumentFragment();shown.slice(page*PER,(page+1)*PER).forEach(function(r){f.appendChild(card(r));});main.appendChild(f);
  $('pageinfo').textContent=fmt(L.page,{p:page+1,n:n,k:shown.length});focusAt=0;}
function cards(){return main.querySelectorAll('.card');}
function move(d){var c=cards();if(!c.length)return;focusAt=Math.max(0,Math.min(c.length-1,focusAt+d));c[focusAt].focus();}
function current(){var c=cards();return c[focusAt];}
function csvCell(s){s=String(s);if(/^[=+\-@\t\r]/.test(s))s="'"+s;return /[",\n\r]/.test(s)?'"'+s.replace(/"/g,'""')+'"':s;}
function decisionsCsv(){var cols={},out=[];rows.forEach(function(r){var d=dec[key(r)];if(!d)return;r.r.forEach(function(x){if(CL[x[0]])cols[CL[x[0]][0]]=1;});});
  var names=Object.keys(cols).sort();out.push(['file','sha256','verdict','decision','compliant'].concat(names).join(','));
  rows.forEach(function(r){var d=dec[key(r)];if(!d)return;var final=d.decision==='confirm'?r.v:(r.v==='approve'?'reject':'approve');
    var vals={};r.r.forEach(function(x){var m=CL[x[0]];if(!m)return;var disputed=d.decision==='override'||d.disputed.indexOf(x[0])>=0;
      vals[m[0]]=(!disputed===m[1])?1:0;});
    out.push([r.f,r.s,r.v,d.decision,final==='approve'?1:0].map(csvCell).concat(names.map(function(n){return n in vals?vals[n]:'';})).join(','));});
  return out.join('\n')+'\n';}
function exportCsv(){var blob=new Blob([decisionsCsv()],{type:'text/csv'}),a=el('a');a.href=URL.createObjectURL(blob);a.download='decisions.csv';document.body.appendChild(a);a.click();a.remove();}
// For automation (and the tests): decide on a card by its position in triage order, read the export.
window.photocheckReview={decide:function(i,what,disputed){var r=rows[i];dec[key(r)]={decision:what,disputed:disputed||[]};save();render();},csv:decisionsCsv,
  order:function(){return rows.map(function(r){return r.f;});}};
q.addEventListener('input',filter);fv.addEventListener('change',filter);fc.addEventListener('change',filter);
marks.addEventListener('change',function(){cards().forEach(function(a){var fig=a.querySelector('figure');if(marks.checked)drawMarks(fig,a._row);else clearMarks(fig);});});
$('prev').addEventListener('click',function(){if(page>0){page--;render();}});$('next').addEventListener('click',function(){page++;render();});
$('export').addEventListener('click',exportCsv);
document.addEventListener('keydown',function(e){if(e.target===q||e.target.tagName==='SELECT'){if(e.key==='Escape')q.blur();return;}
  var k=e.key;if(k==='j'||k==='ArrowDown')move(1);else if(k==='k'||k==='ArrowUp')move(-1);else if(k==='/'){e.preventDefault();q.focus();}
  else if(k==='m'){marks.checked=!marks.checked;marks.dispatchEvent(new Event('change'));}else if(k==='n'){page++;render();}else if(k==='p'&&page>0){page--;render();}
  else if((k==='c'||k==='x')&&current()){decide(current()._row,current(),k==='c'?'confirm':'override');}});
save();render();document.body.dataset.renderedMs=String(Math.round(performance.now()));
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
            "faces": [], "checks": [{"code": "TX001", "outcome": "fail", "mandatory": true, "message": "<img src=x onerror=alert(1)></script>",
                "region": {"type": "box", "x": 1, "y": 1, "width": 2, "height": 2}}]
        });
        let row = Row { file: evil.to_string(), json };
        let summary = Summary { profile: "<b>p</b>".into(), ..Default::default() };
        let page = render(&[row], &summary, Lang::En);
        assert!(!page.contains("<script>alert"), "file name escaped");
        assert!(!page.contains("<img src=x"), "message escaped");
        assert!(!page.contains("</script>\""), "no early end of the data block");
        assert!(!page.contains("<b>p</b>"), "profile name escaped");
        assert!(page.contains(r#"\u003cscript\u003ealert(\"x\")\u003c/script\u003e\u0026'.jpg"#), "{page}");
        // The data block, the two label blocks and the page's script: nothing else.
        assert_eq!(page.matches("<script").count(), 4);
        assert!(!page.contains(".innerHTML"), "the script only sets textContent");
    }

    #[test]
    fn reasons_put_failures_first_and_store_each_message_once() {
        let check = |code: &str, outcome: &str, message: &str| serde_json::json!({"code": code, "outcome": outcome, "mandatory": true, "message": message});
        let mk = |file: &str| Row {
            file: file.into(),
            json: serde_json::json!({"file": file, "verdict": "reject", "sha256": "aa", "image": {"width": 10, "height": 10}, "faces": [],
                "checks": [check("RT002", "warn", "no camera"), check("GE005", "uncertain", "close to the limit"), check("BG001", "fail", "not white")]}),
        };
        let d = data(&[mk("a.jpg"), mk("b.jpg")]);
        let first = &d["rows"][0]["r"];
        assert_eq!(first[0][0], "BG001");
        assert_eq!(first[1][0], "GE005");
        assert_eq!(first[2][0], "RT002");
        assert_eq!(d["m"].as_array().unwrap().len(), 3, "messages shared by both rows are stored once");
    }

    #[test]
    fn the_header_time_is_readable() {
        assert_eq!(readable_time("2026-11-26T12:00:00.123456789+00:00"), "2026-11-26 12:00 +00:00");
    }
}
