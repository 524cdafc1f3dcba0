// Bình Yên — progressive enhancement only. Every page works without this file.
"use strict";
