"""An OpenAI-shaped image server on Optimum's ONNX Runtime Stable Diffusion pipeline, written the way a user of
Optimum would write one: load ORTStableDiffusionPipeline from an exported folder on the CPU provider, then answer
POST /v1/images/generations (b64_json PNGs) and GET /health with the standard library's ThreadingHTTPServer. One
generation runs at a time (a lock): the pipeline object is not meant to be called from several threads at once.

    python bench/peers/optimum_sd_server.py --model DIR [--host 127.0.0.1] [--port 18090] [--threads 2]
                                            [--allow-spinning 0|1] [--served-model-name tiny-random-sd]

Request fields: prompt (required), n, size ("WxH"), response_format ("b64_json"), num_inference_steps,
guidance_scale, negative_prompt, seed, scheduler (only the folder's own). Left out, they take the pipeline's
defaults as diffusers defines them (size from the UNet's sample size, 50 steps, guidance 7.5).
"""
import argparse
import base64
import io
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SIZE = re.compile(r"(\d{1,5})x(\d{1,5})")
MAX_N, MAX_STEPS, MAX_SIDE = 10, 200, 2048


class BadRequest(Exception):
    def __init__(self, param, message, status=400, kind="invalid_request_error"):
        super().__init__(message)
        self.param, self.status, self.kind = param, status, kind


def load(folder, threads, spinning):
    import onnxruntime as ort
    import torch
    from optimum.onnxruntime import ORTStableDiffusionPipeline

    # The scheduler steps and the guidance arithmetic run in torch; keep them on the same cores as the sessions.
    torch.set_num_threads(threads)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # ONNX Runtime's idle intra-op threads spin by default; on cores shared with the HTTP threads (and other work)
    # that spinning took 2-3x the UNet's time here. 0 is what Quiver's sessions use.
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    pipe = ORTStableDiffusionPipeline.from_pretrained(folder, provider="CPUExecutionProvider",
                                                      session_options=options)
    pipe.set_progress_bar_config(disable=True)  # a bar per request is for notebooks, not a server's log
    return pipe


class Images:
    """Checks a request against the pipeline's limits and runs it under the lock."""

    def __init__(self, pipe, served_name):
        import torch
        self.torch = torch
        self.pipe = pipe
        self.served_name = served_name
        self.lock = threading.Lock()
        self.scheduler = type(pipe.scheduler).__name__
        # The VAE scales by vae_scale_factor and each UNet down block halves the latent once more.
        self.multiple = pipe.vae_scale_factor * 2 ** (len(pipe.unet.config.block_out_channels) - 1)
        self.side = pipe.unet.config.sample_size * pipe.vae_scale_factor

    def settings(self, body):
        if not isinstance(body, dict):
            raise BadRequest(None, "A JSON object body is required")
        model = body.get("model")
        if model not in (None, "", self.served_name):
            raise BadRequest("model", f"The model '{model}' does not exist", 404, "not_found_error")
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            raise BadRequest("prompt", "prompt must be a non-empty string")
        if body.get("response_format", "b64_json") != "b64_json":
            raise BadRequest("response_format", "Only response_format 'b64_json' is supported")
        n = self.integer(body, "n", 1, 1, MAX_N)
        width = height = self.side
        size = body.get("size")
        if size not in (None, "auto"):
            m = SIZE.fullmatch(str(size))
            if not m:
                raise BadRequest("size", f"size must be WIDTHxHEIGHT in pixels, was '{size}'")
            width, height = int(m.group(1)), int(m.group(2))
            for side in (width, height):
                if side < self.multiple or side > MAX_SIDE or side % self.multiple:
                    raise BadRequest("size", f"width and height must be multiples of {self.multiple} up to "
                                             f"{MAX_SIDE}, got {side}")
        steps = self.integer(body, "num_inference_steps", 50, 1, MAX_STEPS)
        guidance = body.get("guidance_scale", 7.5)
        if not isinstance(guidance, (int, float)) or isinstance(guidance, bool) or not 0 <= guidance <= 50:
            raise BadRequest("guidance_scale", "guidance_scale must be a number between 0 and 50")
        negative = body.get("negative_prompt")
        if negative is not None and not isinstance(negative, str):
            raise BadRequest("negative_prompt", "negative_prompt must be a string")
        scheduler = body.get("scheduler")
        if scheduler not in (None, "") and str(scheduler).lower() not in (self.scheduler.lower(),
                                                                          self.scheduler.lower().removesuffix(
                                                                              "scheduler")):
            raise BadRequest("scheduler", f"this server runs its folder's {self.scheduler} only")
        seed = body.get("seed")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise BadRequest("seed", "seed must be an integer")
        return dict(prompt=prompt, negative_prompt=negative, num_images_per_prompt=n, width=width, height=height,
                    num_inference_steps=steps, guidance_scale=float(guidance), seed=seed)

    @staticmethod
    def integer(body, name, default, low, high):
        value = body.get(name, default)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise BadRequest(name, f"{name} must be an integer between {low} and {high}, was {value!r}")
        return value

    def generate(self, body):
        s = self.settings(body)
        seed = s.pop("seed")
        generator = self.torch.Generator().manual_seed(seed) if seed is not None else None
        with self.lock:
            images = self.pipe(**s, generator=generator, output_type="pil").images
        data = []
        for image in images:
            png = io.BytesIO()
            image.save(png, format="PNG")
            data.append({"b64_json": base64.b64encode(png.getvalue()).decode("ascii")})
        return {"created": int(time.time()), "data": data}


def handler(images):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            if self.path == "/health":
                self.reply(200, {"status": "ok"})
            else:
                self.error(BadRequest(None, f"Unknown route GET {self.path}", 404, "not_found_error"))

        def do_POST(self):
            if self.path != "/v1/images/generations":
                self.error(BadRequest(None, f"Unknown route POST {self.path}", 404, "not_found_error"))
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    raise BadRequest(None, "The body is not valid JSON")
                self.reply(200, images.generate(body))
            except BadRequest as e:
                self.error(e)
            except Exception as e:  # the client gets a 500 with one line, the log gets the rest
                self.log_error("generation failed: %r", e)
                self.error(BadRequest(None, "The image could not be generated", 500, "server_error"))

        def error(self, e):
            self.reply(e.status, {"error": {"message": str(e), "type": e.kind, "param": e.param, "code": None}})

        def reply(self, status, payload):
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt, *args):  # no line per request: it would cost the server under load
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="an Optimum ONNX Stable Diffusion folder")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18090)
    parser.add_argument("--threads", type=int, default=2, help="ONNX Runtime intra-op threads (and torch's)")
    parser.add_argument("--allow-spinning", type=int, choices=(0, 1), default=1,
                        help="ONNX Runtime's session.intra_op.allow_spinning (1, its default: idle threads busy-wait)")
    parser.add_argument("--served-model-name", default="tiny-random-sd")
    args = parser.parse_args()
    t0 = time.perf_counter()
    pipe = load(args.model, args.threads, args.allow_spinning == 1)
    images = Images(pipe, args.served_model_name)
    print(f"loaded {args.model} ({images.scheduler}, {images.side}x{images.side} default, {args.threads} threads, "
          f"spinning {args.allow_spinning}) "
          f"in {(time.perf_counter() - t0) * 1000:.0f} ms", flush=True)
    server = ThreadingHTTPServer((args.host, args.port), handler(images))
    print(f"serving on http://{args.host}:{args.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
