// What the console knows about the dataset, read from the API's own OpenAPI document
// (GET /openapi.json, generated from the dataset spec), so any spec gets a working console: the
// columns and their rules, the category and range filters, paging, sorting when offered, and which
// optional endpoints exist. No DOM here (unit-tested with node --test).

function baseType(schema) {
  const types = Array.isArray(schema?.type) ? schema.type : [schema?.type];
  return types.find((type) => type && type !== 'null') ?? 'string';
}

function isNullable(schema) {
  return Array.isArray(schema?.type) && schema.type.includes('null');
}

function enumOf(schema) {
  if (Array.isArray(schema?.enum)) return schema.enum;
  if (Array.isArray(schema?.items?.enum)) return schema.items.enum;
  return null;
}

// "> 0", "≤ 100": a column's bounds as the spec states them (for hints next to inputs).
export function boundRules(column) {
  const rules = [];
  if (column.minimum !== undefined) rules.push(`≥ ${column.minimum}`);
  if (column.exclusiveMinimum !== undefined) rules.push(`> ${column.exclusiveMinimum}`);
  if (column.maximum !== undefined) rules.push(`≤ ${column.maximum}`);
  if (column.exclusiveMaximum !== undefined) rules.push(`< ${column.exclusiveMaximum}`);
  return rules;
}

export function describeDataset(openapi) {
  const paths = openapi.paths ?? {};
  const schemas = openapi.components?.schemas ?? {};
  const list = paths['/catalog']?.get;
  const parameters = list?.parameters ?? [];
  const itemSchema = schemas.Item ?? { properties: {} };
  const inputSchema = schemas.ItemInput ?? { properties: {}, required: [] };
  const required = new Set(inputSchema.required ?? []);

  const columns = Object.entries(itemSchema.properties ?? {}).map(([name, schema]) => ({
    name,
    type: baseType(schema),
    format: schema.format ?? null,
    nullable: isNullable(schema),
    description: schema.description ?? '',
    choices: enumOf(schema),
    minimum: schema.minimum,
    maximum: schema.maximum,
    exclusiveMinimum: schema.exclusiveMinimum,
    exclusiveMaximum: schema.exclusiveMaximum,
    maxLength: schema.maxLength,
    required: required.has(name),
    input: name in (inputSchema.properties ?? {}),
  }));
  const byName = new Map(columns.map((column) => [column.name, column]));
  const parameterNames = new Set(parameters.map((parameter) => parameter.name));

  const categories = [];
  const ranges = [];
  for (const parameter of parameters) {
    if (parameter.in !== 'query') continue;
    const column = byName.get(parameter.name);
    if (column && parameter.schema?.type === 'array') {
      categories.push({
        name: parameter.name,
        type: parameter.schema.items?.type ?? column.type,
        description: column.description,
        choices: enumOf(parameter.schema) ?? column.choices,
      });
    }
    const bound = /^(.*)_min$/.exec(parameter.name);
    if (bound && byName.has(bound[1]) && parameterNames.has(`${bound[1]}_max`)) {
      const ranged = byName.get(bound[1]);
      ranges.push({
        name: ranged.name,
        type: parameter.schema?.type ?? ranged.type,
        format: parameter.schema?.format ?? ranged.format ?? null,
        description: ranged.description,
        minimum: ranged.minimum ?? ranged.exclusiveMinimum,
        maximum: ranged.maximum ?? ranged.exclusiveMaximum,
        rules: boundRules(ranged),
      });
    }
  }

  const limitParameter = parameters.find((parameter) => parameter.name === 'limit');
  const sortParameter = parameters.find((parameter) => parameter.name === 'sort');
  const title = openapi.info?.title ?? 'Vitrina';
  const separator = title.indexOf(': ');
  return {
    title,
    name: separator >= 0 ? title.slice(separator + 2) : title,
    description: openapi.info?.description ?? '',
    version: openapi.info?.version ?? '',
    columns,
    inputColumns: columns.filter((column) => column.input),
    categories,
    ranges,
    paging: limitParameter
      ? { maxLimit: limitParameter.schema?.maximum ?? null, cursor: parameterNames.has('cursor') }
      : null,
    sort: sortParameter
      ? {
          name: 'sort',
          choices: enumOf(sortParameter.schema),
          description: sortParameter.description ?? '',
        }
      : null,
    has: {
      facets: Boolean(paths['/catalog/facets']?.get),
      create: Boolean(paths['/catalog']?.post),
      replace: Boolean(paths['/catalog/{id}']?.put),
      remove: Boolean(paths['/catalog/{id}']?.delete),
      signup: Boolean(paths['/signup']?.post),
      login: Boolean(paths['/login']?.post),
      refresh: Boolean(paths['/token/refresh']?.post),
      me: Boolean(paths['/me']?.get),
      users: Boolean(paths['/users']?.get),
      metrics: Boolean(paths['/metrics']?.get),
    },
  };
}

// How a range filter's bounds are typed in: numbers (step 1 for integers), a date picker for a
// date column, a date-and-time picker for a timestamp column. A browser sends the latter without
// an offset ("2024-01-31T12:00:05"), which the API reads as UTC: the hint says so.
export function rangeInput(range) {
  if (range.format === 'date') {
    return { type: 'date', step: null, inputmode: null, hint: 'YYYY-MM-DD' };
  }
  if (range.format === 'date-time') {
    return { type: 'datetime-local', step: '1', inputmode: null, hint: 'UTC' };
  }
  return {
    type: 'number',
    step: range.type === 'integer' ? '1' : 'any',
    inputmode: 'decimal',
    hint: null,
  };
}

// An example of what a column takes, for an empty input: dates and timestamps in ISO 8601.
export function inputPlaceholder(column) {
  if (column.format === 'date') return 'YYYY-MM-DD';
  if (column.format === 'date-time') return '2024-01-31T12:00:00Z';
  return null;
}

// The choices of each category filter: the spec's own list (enum) when it has one, otherwise
// the values stored (GET /catalog/facets) when that list is complete; null means free input.
export function categoryChoices(category, facets) {
  if (Array.isArray(category.choices) && category.choices.length > 0) return category.choices;
  const facet = facets?.[category.name];
  if (facet && facet.complete && Array.isArray(facet.values)) return facet.values;
  return null;
}

// The query string of GET /catalog for a filter state: repeated names for several category
// values (OR), _min/_max bounds, then sort, limit and cursor. Empty values are left out.
export function catalogQuery(state) {
  const query = new URLSearchParams();
  for (const [name, values] of Object.entries(state.categories ?? {})) {
    for (const value of values) {
      if (String(value) !== '') query.append(name, String(value));
    }
  }
  for (const [name, bounds] of Object.entries(state.ranges ?? {})) {
    if (bounds.min !== undefined && String(bounds.min).trim() !== '') {
      query.append(`${name}_min`, String(bounds.min).trim());
    }
    if (bounds.max !== undefined && String(bounds.max).trim() !== '') {
      query.append(`${name}_max`, String(bounds.max).trim());
    }
  }
  if (state.sort) query.append('sort', state.sort);
  if (state.limit) query.append('limit', String(state.limit));
  if (state.cursor) query.append('cursor', state.cursor);
  return query.toString();
}

// A form's text back to the JSON the API expects for a column: numbers for integer and number
// columns when the text is a number (anything else is sent as typed, so the API's own validation
// answers), booleans for boolean columns, null for an empty optional value. Empty required
// values are left out, and the API names them.
export function fieldValue(column, text) {
  const trimmed = String(text ?? '').trim();
  if (trimmed === '') return column.required ? undefined : null;
  if (column.type === 'integer' || column.type === 'number') {
    const number = Number(trimmed);
    return Number.isFinite(number) ? number : trimmed;
  }
  if (column.type === 'boolean') {
    if (trimmed === 'true') return true;
    if (trimmed === 'false') return false;
    return trimmed;
  }
  return String(text);
}

// The body of POST/PUT /catalog from a form's texts keyed by column name.
export function itemBody(columns, texts) {
  const body = {};
  for (const column of columns) {
    const value = fieldValue(column, texts[column.name]);
    if (value !== undefined) body[column.name] = value;
  }
  return body;
}
