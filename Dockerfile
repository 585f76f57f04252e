# A small image with kqlint and nothing else (a static musl binary on an
# empty base):
#   docker build -t kqlint .
#   docker run --rm -v "$PWD:/work" -w /work kqlint check .
FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin kqlint \
    && mkdir -p /out/tmp \
    && cp target/release/kqlint /out/kqlint

FROM scratch
COPY --from=build /out/kqlint /kqlint
COPY --from=build /out/tmp /tmp
WORKDIR /work
ENTRYPOINT ["/kqlint"]
CMD ["--help"]
