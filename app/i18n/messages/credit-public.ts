/** Owned by one step; see the file's keys' prefix "creditPublic.". */
const zh = {
  "creditPublic._": "",
};

export const creditPublic = {
  "zh-CN": zh,
  en: {
    "creditPublic._": "",
  } satisfies Record<keyof typeof zh, string>,
};
