# The CLI image for GitLab CI, Jenkins and `docker run`. It packages the committed single-file bundle
# (dist/cli, rebuilt and checked fresh by CI), so the image needs neither npm nor node_modules.
FROM node:24-slim

LABEL org.opencontainers.image.title="s3-verified-upload" \
      org.opencontainers.image.description="Upload build artifacts to S3 with multipart uploads verified part by part" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/OWNER/s3-verified-upload"

ENV NODE_ENV=production
COPY dist/cli/ /opt/s3-verified-upload/
# The wrapper puts the CLI on PATH for CI systems that override the entrypoint and run a shell script
# (GitLab, Jenkins); ncc wrote the package.json that marks the bundle as an ES module.
RUN printf '#!/bin/sh\nexec node /opt/s3-verified-upload/index.js "$@"\n' > /usr/local/bin/s3-verified-upload \
 && chmod 755 /usr/local/bin/s3-verified-upload

USER node
WORKDIR /work
ENTRYPOINT ["s3-verified-upload"]
CMD ["--help"]
