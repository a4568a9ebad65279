package catalog

import "github.com/trafficinator/trafficinator/loader/internal/visit"

// Product is an item an order can contain: the visit model's Product, whose fields match Matomo's
// ec_items entries [sku, name, category, price, quantity].
type Product = visit.Product

// productTable is the original's 5 categories × 10 products.
var productTable = []Product{
	{SKU: "PHONE-001", Name: "Smartphone Pro Max", Category: "Electronics", Price: 899.99},
	{SKU: "PHONE-002", Name: "Budget Smartphone", Category: "Electronics", Price: 199.99},
	{SKU: "LAPTOP-001", Name: "Gaming Laptop", Category: "Electronics", Price: 1299.99},
	{SKU: "LAPTOP-002", Name: "Business Laptop", Category: "Electronics", Price: 749.99},
	{SKU: "TABLET-001", Name: `Pro Tablet 11"`, Category: "Electronics", Price: 599.99},
	{SKU: "TABLET-002", Name: "Basic Tablet", Category: "Electronics", Price: 149.99},
	{SKU: "HEADPHONE-001", Name: "Wireless Headphones", Category: "Electronics", Price: 249.99},
	{SKU: "HEADPHONE-002", Name: "Gaming Headset", Category: "Electronics", Price: 89.99},
	{SKU: "CAMERA-001", Name: "Digital Camera", Category: "Electronics", Price: 549.99},
	{SKU: "WATCH-001", Name: "Smart Watch", Category: "Electronics", Price: 299.99},
	{SKU: "SHIRT-001", Name: "Cotton T-Shirt", Category: "Clothing", Price: 19.99},
	{SKU: "SHIRT-002", Name: "Polo Shirt", Category: "Clothing", Price: 39.99},
	{SKU: "PANTS-001", Name: "Jeans", Category: "Clothing", Price: 59.99},
	{SKU: "PANTS-002", Name: "Chinos", Category: "Clothing", Price: 49.99},
	{SKU: "SHOE-001", Name: "Running Shoes", Category: "Clothing", Price: 89.99},
	{SKU: "SHOE-002", Name: "Casual Sneakers", Category: "Clothing", Price: 69.99},
	{SKU: "JACKET-001", Name: "Winter Jacket", Category: "Clothing", Price: 129.99},
	{SKU: "DRESS-001", Name: "Summer Dress", Category: "Clothing", Price: 79.99},
	{SKU: "SWEATER-001", Name: "Wool Sweater", Category: "Clothing", Price: 89.99},
	{SKU: "HAT-001", Name: "Baseball Cap", Category: "Clothing", Price: 24.99},
	{SKU: "BOOK-001", Name: "Programming Guide", Category: "Books", Price: 45.99},
	{SKU: "BOOK-002", Name: "Mystery Novel", Category: "Books", Price: 12.99},
	{SKU: "BOOK-003", Name: "Cook Book", Category: "Books", Price: 29.99},
	{SKU: "BOOK-004", Name: "Science Textbook", Category: "Books", Price: 89.99},
	{SKU: "BOOK-005", Name: "Biography", Category: "Books", Price: 19.99},
	{SKU: "BOOK-006", Name: "Art History", Category: "Books", Price: 59.99},
	{SKU: "BOOK-007", Name: "Travel Guide", Category: "Books", Price: 24.99},
	{SKU: "BOOK-008", Name: "Business Strategy", Category: "Books", Price: 34.99},
	{SKU: "EBOOK-001", Name: "Digital Marketing (eBook)", Category: "Books", Price: 9.99},
	{SKU: "EBOOK-002", Name: "Fiction Collection (eBook)", Category: "Books", Price: 7.99},
	{SKU: "FURNITURE-001", Name: "Office Chair", Category: "Home & Garden", Price: 199.99},
	{SKU: "FURNITURE-002", Name: "Desk Lamp", Category: "Home & Garden", Price: 49.99},
	{SKU: "APPLIANCE-001", Name: "Coffee Maker", Category: "Home & Garden", Price: 89.99},
	{SKU: "APPLIANCE-002", Name: "Blender", Category: "Home & Garden", Price: 69.99},
	{SKU: "TOOL-001", Name: "Drill Set", Category: "Home & Garden", Price: 79.99},
	{SKU: "TOOL-002", Name: "Screwdriver Kit", Category: "Home & Garden", Price: 29.99},
	{SKU: "GARDEN-001", Name: "Plant Pot Set", Category: "Home & Garden", Price: 39.99},
	{SKU: "GARDEN-002", Name: "Garden Hose", Category: "Home & Garden", Price: 34.99},
	{SKU: "DECOR-001", Name: "Wall Art", Category: "Home & Garden", Price: 59.99},
	{SKU: "STORAGE-001", Name: "Storage Box", Category: "Home & Garden", Price: 24.99},
	{SKU: "SPORT-001", Name: "Yoga Mat", Category: "Sports", Price: 29.99},
	{SKU: "SPORT-002", Name: "Dumbbells Set", Category: "Sports", Price: 89.99},
	{SKU: "SPORT-003", Name: "Tennis Racket", Category: "Sports", Price: 119.99},
	{SKU: "SPORT-004", Name: "Basketball", Category: "Sports", Price: 34.99},
	{SKU: "SPORT-005", Name: "Running Shorts", Category: "Sports", Price: 24.99},
	{SKU: "SPORT-006", Name: "Athletic T-Shirt", Category: "Sports", Price: 19.99},
	{SKU: "SPORT-007", Name: "Water Bottle", Category: "Sports", Price: 14.99},
	{SKU: "SPORT-008", Name: "Gym Bag", Category: "Sports", Price: 39.99},
	{SKU: "SPORT-009", Name: "Resistance Bands", Category: "Sports", Price: 19.99},
	{SKU: "SPORT-010", Name: "Fitness Tracker", Category: "Sports", Price: 149.99},
}

// Products returns the product list (5 categories × 10, prices 7.99–1299.99).
func Products() []Product { return append([]Product(nil), productTable...) }
