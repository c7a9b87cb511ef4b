// The console's reading of the API's OpenAPI document and the requests it builds from it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  catalogQuery,
  categoryChoices,
  describeDataset,
  fieldValue,
  inputPlaceholder,
  itemBody,
  rangeInput,
} from '../../../src/console/dataset.js';

// The parts of /openapi.json the console reads, as api/core/openapi.cpp writes them for books.
const books = {
  info: {
    title: 'Vitrina: books',
    version: '0.1.0',
    description: "Catalog of the 'books' dataset.",
  },
  paths: {
    '/catalog': {
      get: {
        parameters: [
          {
            name: 'genre',
            in: 'query',
            style: 'form',
            explode: true,
            schema: { type: 'array', items: { type: 'string' } },
          },
          {
            name: 'year',
            in: 'query',
            style: 'form',
            explode: true,
            schema: { type: 'array', items: { type: 'integer' } },
          },
          { name: 'year_min', in: 'query', schema: { type: 'integer' } },
          { name: 'year_max', in: 'query', schema: { type: 'integer' } },
          { name: 'rating_min', in: 'query', schema: { type: 'number' } },
          { name: 'rating_max', in: 'query', schema: { type: 'number' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10000 } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
        ],
      },
      post: {},
    },
    '/catalog/facets': { get: {} },
    '/catalog/{id}': { get: {}, put: {}, delete: {} },
    '/login': { post: {} },
    '/me': { get: {} },
  },
  components: {
    schemas: {
      Item: {
        properties: {
          id: { type: 'integer', minimum: 1 },
          title: { type: 'string', maxLength: 200 },
          genre: { type: 'string', enum: ['fiction', 'poetry', 'science', 'history'] },
          year: { type: 'integer', minimum: 1450, maximum: 2100 },
          rating: { type: 'number', minimum: 0, maximum: 5 },
          in_print: { type: ['boolean', 'null'] },
        },
      },
      ItemInput: {
        properties: { title: {}, genre: {}, year: {}, rating: {}, in_print: {} },
        required: ['title', 'genre', 'year', 'rating'],
      },
    },
  },
};

test('columns, filters and endpoints come from the document', () => {
  const dataset = describeDataset(books);
  assert.equal(dataset.name, 'books');
  assert.deepEqual(
    dataset.columns.map((column) => column.name),
    ['id', 'title', 'genre', 'year', 'rating', 'in_print'],
  );
  assert.deepEqual(
    dataset.inputColumns.map((column) => column.name),
    ['title', 'genre', 'year', 'rating', 'in_print'],
  );
  assert.deepEqual(
    dataset.categories.map((category) => [category.name, category.type]),
    [
      ['genre', 'string'],
      ['year', 'integer'],
    ],
  );
  assert.deepEqual(dataset.categories[0].choices, ['fiction', 'poetry', 'science', 'history']);
  assert.deepEqual(
    dataset.ranges.map((range) => [range.name, range.minimum, range.maximum]),
    [
      ['year', 1450, 2100],
      ['rating', 0, 5],
    ],
  );
  assert.deepEqual(dataset.paging, { maxLimit: 10000, cursor: true });
  assert.equal(dataset.sort, null); // the API has no sort parameter: the console shows none
  const inPrint = dataset.columns.find((column) => column.name === 'in_print');
  assert.equal(inPrint.type, 'boolean');
  assert.equal(inPrint.nullable, true);
  assert.equal(inPrint.required, false);
  assert.equal(dataset.has.facets, true);
  assert.equal(dataset.has.signup, false);
});

test('a sort parameter, when the document has one, is offered with its values', () => {
  const withSort = structuredClone(books);
  withSort.paths['/catalog'].get.parameters.push({
    name: 'sort',
    in: 'query',
    schema: { type: 'string', enum: ['price', '-price'] },
  });
  assert.deepEqual(describeDataset(withSort).sort.choices, ['price', '-price']);
});

test('category choices: the spec enum first, then complete stored values, else free input', () => {
  const [genre, year] = describeDataset(books).categories;
  assert.deepEqual(categoryChoices(genre, { genre: { values: ['fiction'], complete: true } }), [
    'fiction',
    'poetry',
    'science',
    'history',
  ]);
  assert.deepEqual(
    categoryChoices(year, { year: { values: [1614, 1855], complete: true } }),
    [1614, 1855],
  );
  assert.equal(categoryChoices(year, { year: { values: [1614], complete: false } }), null);
  assert.equal(categoryChoices(year, null), null);
});

test('the catalog query repeats category names and skips empty bounds', () => {
  const query = catalogQuery({
    categories: { cut: ['Fair', 'Very Good'] },
    ranges: { price: { min: '500', max: '' }, carat: { min: ' ', max: '1.5' } },
    limit: 50,
    cursor: 'djE6NTA',
  });
  assert.equal(query, 'cut=Fair&cut=Very+Good&price_min=500&carat_max=1.5&limit=50&cursor=djE6NTA');
  assert.equal(catalogQuery({}), '');
});

test('form texts become typed JSON, and what is not a number is sent as typed for the API to refuse', () => {
  const dataset = describeDataset(books);
  const body = itemBody(dataset.inputColumns, {
    title: 'Dune',
    genre: 'fiction',
    year: '1965',
    rating: 'abc',
    in_print: '',
  });
  assert.deepEqual(body, {
    title: 'Dune',
    genre: 'fiction',
    year: 1965,
    rating: 'abc',
    in_print: null,
  });
  const rating = dataset.inputColumns.find((column) => column.name === 'rating');
  assert.equal(fieldValue(rating, ''), undefined); // required and empty: left out, the API names it
  assert.equal(fieldValue(rating, '-5'), -5);
});

test('date and timestamp ranges get date pickers; numbers keep number inputs', () => {
  const sales = {
    info: { title: 'Vitrina: sales' },
    paths: {
      '/catalog': {
        get: {
          parameters: [
            { name: 'sold_on_min', in: 'query', schema: { type: 'string', format: 'date' } },
            { name: 'sold_on_max', in: 'query', schema: { type: 'string', format: 'date' } },
            { name: 'listed_at_min', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'listed_at_max', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'price_min', in: 'query', schema: { type: 'integer' } },
            { name: 'price_max', in: 'query', schema: { type: 'integer' } },
          ],
        },
      },
    },
    components: {
      schemas: {
        Item: {
          properties: {
            sold_on: { type: 'string', format: 'date' },
            listed_at: { type: ['string', 'null'], format: 'date-time' },
            price: { type: 'integer' },
          },
        },
      },
    },
  };
  const dataset = describeDataset(sales);
  assert.deepEqual(
    dataset.ranges.map((range) => [range.name, range.type, range.format]),
    [
      ['sold_on', 'string', 'date'],
      ['listed_at', 'string', 'date-time'],
      ['price', 'integer', null],
    ],
  );
  const [soldOn, listedAt, price] = dataset.ranges;
  assert.equal(rangeInput(soldOn).type, 'date');
  assert.equal(rangeInput(listedAt).type, 'datetime-local');
  assert.equal(rangeInput(listedAt).hint, 'UTC'); // a browser sends no offset: the API reads UTC
  assert.deepEqual(rangeInput(price), {
    type: 'number',
    step: '1',
    inputmode: 'decimal',
    hint: null,
  });
  const listed = dataset.columns.find((column) => column.name === 'listed_at');
  assert.equal(inputPlaceholder(listed), '2024-01-31T12:00:00Z');
  assert.equal(inputPlaceholder(dataset.columns.find((column) => column.name === 'price')), null);
  // The bounds reach the query string as typed: a datetime-local value is ISO 8601 without offset.
  assert.equal(
    catalogQuery({ ranges: { listed_at: { min: '2024-01-31T12:00', max: '' } } }),
    'listed_at_min=2024-01-31T12%3A00',
  );
});
