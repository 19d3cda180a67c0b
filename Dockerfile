# flowrt in a container: runs every flow file mounted at /flows until stopped (SIGTERM drains).
#
#   docker build -t flowrt .
#   docker run --rm -v "$PWD/flows:/flows:ro" flowrt
#
# The image does not start the HTTP server: `flowrt serve` on an address other than 127.0.0.1
# needs authentication configured, so that is left to a deployment that sets it up. Port 1880 is
# declared for it.

FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir --disable-pip-version-check build \
 && python -m build --wheel --outdir /wheels

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl \
 && rm -rf /wheels \
 && useradd --create-home --uid 10001 --user-group flowrt
USER flowrt
WORKDIR /home/flowrt
VOLUME ["/flows"]
EXPOSE 1880
CMD ["flowrt", "run", "/flows"]
