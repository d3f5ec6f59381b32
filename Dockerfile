# syntax=docker/dockerfile:1
# Multi-stage build: a static binary on a distroless base.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/familyhub ./cmd/familyhub

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/familyhub /familyhub
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/familyhub"]
CMD ["serve"]
