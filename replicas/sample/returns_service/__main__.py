from returns_service.app import main

main()
