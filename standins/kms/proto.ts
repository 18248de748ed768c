// Loads the google.cloud.kms.v1.KeyManagementService definition from the protos the official client ships.

import { createRequire } from 'node:module';
import path from 'node:path';
import { loadPackageDefinition, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

let cached: ServiceDefinition | undefined;

/**
 * The KeyManagementService definition, decoded as the stand-in's handlers expect: camelCase fields,
 * bytes as Buffer, int64 as decimal strings, enums as names, defaults filled, oneof names set.
 */
export function keyManagementServiceDefinition(): ServiceDefinition {
  cached ??= load();
  return cached;
}

function load(): ServiceDefinition {
  const require = createRequire(import.meta.url);
  const kmsMain = require.resolve('@google-cloud/kms'); // .../@google-cloud/kms/build/src/index.js
  const gaxMain = createRequire(kmsMain).resolve('google-gax'); // .../google-gax/build/src/index.js
  const includeDirs = [kmsMain, gaxMain].map((main) => path.resolve(path.dirname(main), '../protos'));
  const definition = loadSync('google/cloud/kms/v1/service.proto', {
    includeDirs,
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const root = loadPackageDefinition(definition) as unknown as {
    google: { cloud: { kms: { v1: { KeyManagementService: { service: ServiceDefinition } } } } };
  };
  return root.google.cloud.kms.v1.KeyManagementService.service;
}
