import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { SDK_METRIC_TYPES } from '#shared/ingest/sdk-mappings.js';
import { HEALTH_SCORE_CATEGORIES } from '#shared/model/health-data.js';
import { SERIES_TYPE_CODES } from '#shared/model/series.js';
import { providerModules } from '#shared/providers/index.js';

/**
 * What each provider's code maps, read from the code itself with the TypeScript checker (so the coverage matrix of
 * GET /meta/coverage is never a hand-kept table): string literals typed as a SeriesType or a HealthScoreCategory,
 * and the fields given a value in objects typed as WorkoutDetails, SleepDetails or MenstrualCycleDetails. The SDK
 * providers share the SDK ingest code and differ in their metric names (HealthKit identifiers for Apple).
 */

export interface ProviderCoverage {
  timeseries: string[];
  workout_fields: string[];
  sleep_fields: string[];
  menstrual_cycle_fields: string[];
  health_scores: string[];
}

const root = fileURLToPath(new URL('..', import.meta.url));
const SERIES = new Set<string>(SERIES_TYPE_CODES);
const SCORES = new Set<string>(HEALTH_SCORE_CATEGORIES);
const DETAILS = {
  WorkoutDetails: 'workout_fields',
  SleepDetails: 'sleep_fields',
  MenstrualCycleDetails: 'menstrual_cycle_fields',
} as const;
const SDK_FILES = [
  'shared/ingest/sdk-workouts.ts',
  'shared/ingest/sleep-assembly.ts',
  'shared/ingest/sdk-normalise.ts',
];

const folderFiles = (folder: string) =>
  readdirSync(`${root}${folder}`)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `${root}${folder}/${name}`);

/** The string literal values a type admits, when it is a union of string literals only (else undefined). */
function literalValues(checker: ts.TypeChecker, given: ts.Type): Set<string> | undefined {
  // `keyof T` is kept unresolved; its constraint is the union of T's keys.
  const type = given.flags & ts.TypeFlags.Index ? (checker.getBaseConstraintOfType(given) ?? given) : given;
  const members = type.isUnion() ? type.types : [type];
  const values = new Set<string>();
  for (const member of members) {
    if (member.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) continue;
    if (!member.isStringLiteral()) return undefined;
    values.add(member.value);
  }
  return values;
}

const isSubset = (values: Set<string>, of: Set<string>) =>
  values.size > 0 && [...values].every((v) => of.has(v));

function detailsKind(type: ts.Type | undefined): (typeof DETAILS)[keyof typeof DETAILS] | undefined {
  for (const member of type?.isUnion() ? type.types : type ? [type] : []) {
    const name = member.getSymbol()?.getName() ?? member.aliasSymbol?.getName();
    if (name && Object.hasOwn(DETAILS, name)) return DETAILS[name as keyof typeof DETAILS];
  }
  return undefined;
}

/** The field names of the details interfaces, as the checker sees them. */
function detailFields(program: ts.Program): Record<(typeof DETAILS)[keyof typeof DETAILS], Set<string>> {
  const checker = program.getTypeChecker();
  const model = program.getSourceFile(`${root}shared/model/health-data.ts`)!;
  const fields = (name: keyof typeof DETAILS) => {
    const declaration = model.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === name)!;
    return new Set(
      checker.getPropertiesOfType(checker.getTypeAtLocation(declaration)).map((p) => p.getName()),
    );
  };
  return {
    workout_fields: fields('WorkoutDetails'),
    sleep_fields: fields('SleepDetails'),
    menstrual_cycle_fields: fields('MenstrualCycleDetails'),
  };
}

function scanFiles(program: ts.Program, files: string[]): ProviderCoverage {
  const checker = program.getTypeChecker();
  const fieldsOf = detailFields(program);
  const found = {
    timeseries: new Set<string>(),
    workout_fields: new Set<string>(),
    sleep_fields: new Set<string>(),
    menstrual_cycle_fields: new Set<string>(),
    health_scores: new Set<string>(),
  };
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const contextual = checker.getContextualType(node);
      const values = contextual && literalValues(checker, contextual);
      // A one-value context (a narrowed discriminant) says nothing about which enum the value belongs to.
      if (values?.has(node.text) && values.size > 1) {
        if (isSubset(values, SERIES)) found.timeseries.add(node.text);
        else if (isSubset(values, SCORES)) found.health_scores.add(node.text);
        else {
          // Details written field by field (`[keyof WorkoutDetails, value]` tuples).
          for (const kind of Object.values(DETAILS))
            if (isSubset(values, fieldsOf[kind])) found[kind].add(node.text);
        }
      }
    }
    if (ts.isObjectLiteralExpression(node)) {
      const kind = detailsKind(checker.getContextualType(node));
      if (kind) {
        for (const property of node.properties) {
          const given =
            (ts.isPropertyAssignment(property) && property.initializer.kind !== ts.SyntaxKind.NullKeyword) ||
            ts.isShorthandPropertyAssignment(property);
          if (given && property.name && ts.isIdentifier(property.name)) found[kind].add(property.name.text);
        }
      }
    }
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      node.right.kind !== ts.SyntaxKind.NullKeyword
    ) {
      const kind = detailsKind(checker.getTypeAtLocation(node.left.expression));
      if (kind) found[kind].add(node.left.name.text);
    }
    ts.forEachChild(node, visit);
  };
  for (const file of files) visit(program.getSourceFile(file)!);
  return {
    timeseries: [...found.timeseries].sort(),
    workout_fields: [...found.workout_fields].sort(),
    sleep_fields: [...found.sleep_fields].sort(),
    menstrual_cycle_fields: [...found.menstrual_cycle_fields].sort(),
    health_scores: [...found.health_scores].sort(),
  };
}

/** Every provider with an integration: the cloud providers' folders and the three SDK providers. */
export function scanCoverage(): Record<string, ProviderCoverage> {
  const config = ts.readConfigFile(`${root}tsconfig.json`, ts.sys.readFile).config;
  const options = ts.parseJsonConfigFileContent(config, ts.sys, root).options;
  const cloud = Object.keys(providerModules).map(
    (name) => [name, folderFiles(`shared/providers/${name.replace(/_/g, '-')}`)] as const,
  );
  const sdkFiles = SDK_FILES.map((file) => `${root}${file}`);
  const program = ts.createProgram([...cloud.flatMap(([, files]) => files), ...sdkFiles], options);
  const coverage: Record<string, ProviderCoverage> = {};
  for (const [name, files] of cloud) coverage[name] = scanFiles(program, files);
  const sdk = scanFiles(program, sdkFiles);
  const metrics = (apple: boolean) =>
    Object.entries(SDK_METRIC_TYPES).flatMap(([type, series]) =>
      type.startsWith('HK') === apple ? [series] : [],
    );
  for (const [name, apple] of [
    ['apple', true],
    ['health_connect', false],
    ['samsung', false],
  ] as const) {
    coverage[name] = { ...sdk, timeseries: [...new Set([...sdk.timeseries, ...metrics(apple)])].sort() };
  }
  return Object.fromEntries(Object.entries(coverage).sort(([a], [b]) => a.localeCompare(b)));
}
