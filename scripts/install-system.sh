#!/usr/bin/env bash
# Install what docgen needs from Debian: headless LibreOffice Writer, poppler, fontconfig, the
# free fonts that stand in for the GB/T 9704 font names, and a TrueType CJK font for drawing the
# 归档章 (reportlab cannot read the CFF-outline Noto/Fandol fonts), Ghostscript for the PDF/A rendition
# of an imported PDF, Chromium for the browser test of `docgen serve`, and PostgreSQL for the city
# profile (its tests start their own cluster on loopback). Idempotent: exits at once when all is there.
set -euo pipefail

FANDOL_DIR=/usr/local/share/fonts/docgen-fandol
FANDOL_FILES=(FandolFang-Regular.otf FandolKai-Regular.otf FandolHei-Regular.otf FandolHei-Bold.otf
              FandolSong-Regular.otf FandolSong-Bold.otf)

have_all() {
  command -v soffice >/dev/null && command -v pdftoppm >/dev/null && command -v fc-match >/dev/null \
    && command -v gs >/dev/null && [[ -s /usr/share/color/icc/ghostscript/srgb.icc ]] \
    && command -v chromium >/dev/null \
    && compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null \
    && command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null \
    && [[ -n $(fc-list 'Noto Serif CJK SC' family 2>/dev/null) ]] \
    && [[ -n $(fc-list 'AR PL SungtiL GB' family 2>/dev/null) ]] \
    && for f in "${FANDOL_FILES[@]}"; do [[ -s $FANDOL_DIR/$f ]] || return 1; done
}

if have_all; then
  exit 0
fi

SUDO=
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "需要 root 权限安装系统软件包（apt-get）。" >&2; exit 1; }
  SUDO=sudo
fi

export DEBIAN_FRONTEND=noninteractive
echo "==> 安装系统软件包（LibreOffice Writer、poppler-utils、Ghostscript、字体、Chromium、PostgreSQL）…"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  libreoffice-writer poppler-utils ghostscript fontconfig fonts-noto-cjk fonts-arphic-gbsn00lp \
  chromium python3 python3-venv python3-pip ca-certificates postgresql >/dev/null

# Only the Fandol OTF files are needed from texlive-lang-chinese, not TeX itself (~50 MB .deb).
missing=0
for f in "${FANDOL_FILES[@]}"; do [[ -s $FANDOL_DIR/$f ]] || missing=1; done
if ((missing)); then
  echo "==> 提取 Fandol 字体（仿宋/楷体替代字体）…"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # apt-get download needs no root; as root it warns that _apt cannot write here, harmlessly.
  (cd "$work" && apt-get download -qq texlive-lang-chinese 2>/dev/null)
  deb=$(ls "$work"/texlive-lang-chinese_*.deb)
  dpkg-deb -x "$deb" "$work/x"
  $SUDO mkdir -p "$FANDOL_DIR"
  for f in "${FANDOL_FILES[@]}"; do
    $SUDO install -m 0644 "$work/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/$f" "$FANDOL_DIR/$f"
  done
  $SUDO install -m 0644 "$work/x/usr/share/doc/texlive-doc/fonts/fandol/COPYING.gz" "$FANDOL_DIR/COPYING.gz" || true
fi
$SUDO fc-cache -f >/dev/null
have_all || { echo "系统软件包安装后仍不完整，请检查上面的输出。" >&2; exit 1; }
echo "==> 系统软件包已就绪。"
